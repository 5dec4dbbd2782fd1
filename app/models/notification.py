"""Notifications (DESIGN §7): the durable outbox of e-mails and the in-app inbox of each unit.

A row is written in the same transaction as the change that causes it, so nothing is lost
when Redis, the mail server or a worker is down; jobs only move its `status` forward.
"""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from app import clock
from app.models.organization import Organization
from app.models.report import Report, ReportEvent



# What a notification is about: the workflow actions, plus reminders that no action causes.
KINDS = {
    "submit": _l("New report"),  # 新上报
    "assign": _l("Assigned to you"),  # 交办
    "escalate": _l("Escalated to the county"),  # 报县
    "reject": _l("Report rejected"),  # 不予受理
    "dispatch": _l("Dispatched to your department"),  # 转办
    "return": _l("Returned to the township"),  # 退回乡镇
    "acknowledge": _l("Department reported in"),  # 部门报到
    "resolve": _l("Case resolved"),  # 已处置
    "close": _l("Case closed"),  # 销号
    "reopen": _l("Case reopened"),  # 重新办理
    "urge": _l("Reminder: please handle"),  # 催办
    "overdue": _l("Overdue reminder"),  # 逾期催办
    "digest": _l("Daily summary"),  # 每日汇总
}

# Where the e-mail of a notification stands.
STATUSES = {
    "pending": _l("Waiting to be sent"),  # 待发送
    "sending": _l("Sending"),  # 发送中
    "sent": _l("Sent"),  # 已发送
    "failed": _l("Failed"),  # 发送失败
    "kept": _l("Kept (no mail server configured)"),  # 未配置邮件服务器，保留在发件箱
    "unaddressed": _l("No e-mail address"),  # 收件单位无邮箱
}


class Notification(Model):
    """One message to one unit: shown in its users' inboxes and e-mailed to them once."""

    __tablename__ = "notification"

    id = Column(Integer, primary_key=True)
    event_id = Column(Integer, ForeignKey("report_event.id"), index=True)  # None for reminders
    report_id = Column(Integer, ForeignKey("report.id", ondelete="CASCADE"), index=True)  # None for digests
    organization_id = Column(Integer, ForeignKey("organization.id"), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    subject = Column(String(200), nullable=False, default="", server_default="")
    comment = Column(Text)  # a reminder's own words (催办意见)
    # Makes periodic reminders idempotent: one row per key, whoever runs the scan and how often.
    dedup_key = Column(String(120), unique=True, index=True)
    created_at = Column(DateTime, nullable=False, default=clock.column_now, index=True)

    # The e-mail, moved forward by the delivery job only.
    status = Column(String(16), nullable=False, default="pending", index=True)
    attempts = Column(Integer, nullable=False, default=0, server_default="0")
    claimed_at = Column(DateTime)  # when a job took it; a stale claim means the job died
    retry_at = Column(DateTime)  # after a failed attempt: not before this time
    sent_at = Column(DateTime)
    recipients = Column(Text)  # the addresses it went to, comma-separated
    message_id = Column(String(200))
    last_error = Column(Text)

    event = relationship(ReportEvent)
    report = relationship(Report)
    organization = relationship(Organization)

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        return str(STATUSES.get(self.status, self.status))

    @classmethod
    def in_scope(cls, root: Organization):
        """A unit's inbox is its own: notifications to units below it are theirs, not its."""
        return cls.organization_id == root.id

    def __str__(self) -> str:
        return self.subject


class NotificationRead(Model):
    """That one user has read one notification of their unit (the inbox's unread count)."""

    __tablename__ = "notification_read"

    notification_id = Column(Integer, ForeignKey("notification.id", ondelete="CASCADE"), primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True, index=True)
    read_at = Column(DateTime, nullable=False, default=clock.column_now)
