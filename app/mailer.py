"""E-mail of notifications: who receives a unit's mail, what it says, and the SMTP hand-over.

Building a message is pure (database reads only); `send` is the only network call.
"""
import re
import smtplib
from dataclasses import dataclass
from email.utils import parseaddr

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import Attachment as MailAttachment, Connection, Message

from app.extensions import db
from app.models import Notification, Organization, OrgUser

# Anything that could end a header line or confuse a mail client: removed from header text.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
_ADDRESS = re.compile(r"^[^@\s<>,;\"()\[\]\\]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def header_text(value: str, limit: int = 150) -> str:
    """User text made safe for a header: one line, no control characters, bounded length."""
    text = _CONTROL.sub(" ", value or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean_address(value: str | None) -> str | None:
    """A bare, plausible address, or None: no display names, no second address, no CR/LF."""
    if not value or _CONTROL.search(value):
        return None
    name, address = parseaddr(value)
    return address.lower() if address == value.strip() and _ADDRESS.match(address) else None


def recipients_of(unit: Organization) -> list[str]:
    """The unit's own address and those of its active users, each once, in a stable order."""
    users = db.session.query(OrgUser.email).filter(OrgUser.organization_id == unit.id, OrgUser.active.is_(True))
    addresses = [unit.email, *(email for (email,) in users)]
    return sorted({a for a in map(clean_address, addresses) if a})


def message_id(notification: Notification) -> str:
    """The same Message-ID on every attempt, so a retried delivery is recognisably the same mail."""
    domain = clean_address(current_app.config["MAIL_DEFAULT_SENDER"].rsplit("<", 1)[-1].rstrip(">"))
    return f"<notification-{notification.id}@{domain.split('@')[1] if domain else 'dafei.local'}>"


def case_link(notification: Notification) -> str:
    base = current_app.config["APP_BASE_URL"].rstrip("/")
    if notification.report_id is None:
        return base + "/inbox/list/"
    return f"{base}/report/show/{notification.report_id}"


@dataclass
class Letter:
    """What a notification says, in Chinese whatever the sender's language."""

    subject: str
    text: str
    html: str


def compose(notification: Notification, **context) -> Letter:
    """The subject and the paired text and HTML bodies of a notification's e-mail."""
    template = "digest" if notification.kind == "digest" else "notification"
    with force_locale("zh"):
        context = {"n": notification, "report": notification.report, "event": notification.event,
                   "unit": notification.organization, "link": case_link(notification), **context}
        return Letter(subject=header_text(notification.subject),
                      text=render_template(f"email/{template}.txt", **context),
                      html=render_template(f"email/{template}.html", **context))


def build_message(notification: Notification, recipients: list[str], attachments=(), **context) -> Message:
    """The Flask-Mail message for a notification; headers carry no user-made line breaks."""
    letter = compose(notification, **context)
    message = Message(subject=letter.subject, recipients=recipients, body=letter.text, html=letter.html,
                      attachments=[MailAttachment(filename=name, content_type=kind, data=data)
                                   for name, kind, data in attachments])
    message.msgId = message_id(notification)
    return message


class TimedConnection(Connection):
    """Flask-Mail's connection with a timeout, so a silent mail server cannot hold a worker forever."""

    def configure_host(self):
        timeout = current_app.config["MAIL_TIMEOUT"]
        cls = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = cls(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def send(message: Message) -> None:
    """Hand one message to the configured SMTP server (raises on refusal or timeout).

    Once the server has accepted the message it is delivered: a failing QUIT afterwards must not
    count as a failed attempt, or the retry would send it twice."""
    connection = TimedConnection(current_app.extensions["mail"])
    connection.host = None if connection.mail.suppress else connection.configure_host()
    try:
        connection.send(message)
    finally:
        if connection.host is not None:
            try:
                connection.host.quit()
            except (smtplib.SMTPException, OSError):
                connection.host.close()

