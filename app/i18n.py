"""Formatting for people: dates without microseconds, in the reader's language."""
from datetime import date, datetime

from flask_babel import format_date, format_datetime, gettext as _


def human(value) -> str:
    """A date or time as people write it (2026年12月4日 15:39), '' for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "yyyy-MM-dd HH:mm", rebase=False)  # stored in local time
    if isinstance(value, date):
        return format_date(value, "yyyy-MM-dd")
    return str(value)


def yes_no(value) -> str:
    """A flag as a word (是 / 否) instead of True / False."""
    return _("Yes") if value else _("No")


def register_template_helpers(app) -> None:
    from app.security.scope import acting_user
    from app.views.notification import unread_count
    from app.views.report import inbox_count

    app.add_template_filter(human, "human")
    app.add_template_global(lambda: inbox_count(acting_user()), "inbox_count")
    app.add_template_global(lambda: unread_count(acting_user()), "unread_count")
