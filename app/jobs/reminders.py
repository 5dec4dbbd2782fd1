"""Periodic reminder jobs: thin wrappers so the schedule names jobs, and the services do the work."""
from app.services import notifications


def scan_overdue() -> int:
    """逾期催办 for every overdue case (once per case, stage, unit and day)."""
    return notifications.scan_overdue()


def daily_digests() -> int:
    """The township offices' daily summary (once per township and day)."""
    return notifications.create_digests()
