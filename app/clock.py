"""The one clock of the application: Beijing wall-clock time, so deadlines follow the township's days.

Times are stored naive in Asia/Shanghai whatever the server's own time zone; tests freeze time by
replacing `now`.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current time in China, naive, to the second."""
    return datetime.now(CHINA).replace(tzinfo=None, microsecond=0)


def column_now() -> datetime:
    """`now()` looked up at each call: the column default, so that a frozen clock (tests) applies."""
    return now()


def today() -> date:
    return now().date()
