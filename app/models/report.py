"""The case (上报/案件, DESIGN §4): the village report form 附件2 plus what the work needs.

State, deadlines and the handling unit are written only by `app.workflow` actions; forms and
the API edit the report's own fields, and only while it is a draft.
"""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer, Numeric, String,
                        Table, Text, and_, event, or_)
from sqlalchemy.orm import relationship

from app import clock
from app.models.organization import Organization


# States in the order of the life cycle, with the words people read.
STATES = {
    "draft": _l("Draft"),  # 草稿
    "submitted": _l("Submitted"),  # 已上报(乡镇待处理)
    "handling": _l("Handling in the township"),  # 乡镇处置中
    "escalated": _l("Escalated to the county"),  # 已报县
    "rejected": _l("Rejected"),  # 不予受理
    "dispatched": _l("Dispatched"),  # 已转办
    "acknowledged": _l("Acknowledged"),  # 已报到
    "resolved": _l("Resolved"),  # 已处置
    "closed": _l("Closed"),  # 已办结
}
# States in which a case waits on someone and can fall overdue.
OPEN_STATES = ("draft", "submitted", "handling", "escalated", "dispatched", "acknowledged")

SOURCES = {
    "village": _l("Village report"),  # 村居上报
    "township": _l("Township patrol"),  # 乡镇巡查
    "public": _l("Public tip-off"),  # 群众举报
    "county": _l("County"),  # 县级交办
}

report_assisting = Table(
    "report_assisting",
    Model.metadata,
    Column("report_id", Integer, ForeignKey("report.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", Integer, ForeignKey("organization.id"), primary_key=True, index=True),
)


class Report(Model):
    """One reported illegal site and everything done about it."""

    __tablename__ = "report"
    __table_args__ = (
        Index("ix_report_state_due", "state", "due_on"),
    )

    id = Column(Integer, primary_key=True)
    number = Column(String(32), unique=True)  # SG-2026-000123, given on submission
    state = Column(String(16), nullable=False, default="draft", index=True)
    source = Column(String(16), nullable=False, default="village", index=True)

    # 附件2 安全生产打非村居上报表
    village_id = Column(Integer, ForeignKey("organization.id"), nullable=False, index=True)  # 村居名称
    principal = Column(String(50))  # 主要负责人
    activity = Column(Text, nullable=False)  # 非法生产经营建设行为
    discovered_on = Column(Date, nullable=False, index=True)  # 排查时间
    reported_on = Column(Date, index=True)  # 上报时间 (the submission date unless given)
    reporter = Column(String(50), nullable=False)  # 上报人
    reporter_phone = Column(String(30), nullable=False)  # 联系方式

    # What the work needs beyond the paper form
    category_id = Column(Integer, ForeignKey("category.id"), nullable=False, index=True)
    address = Column(String(200), nullable=False)
    latitude = Column(Float)
    longitude = Column(Float)
    party = Column(String(100))  # 涉事单位/个人
    stopped_on_site = Column(Boolean, default=False)  # 是否当场制止 (nullable: FAB would make a required checkbox)
    stop_measures = Column(Text)  # 制止情况

    # Who holds it. `owner` filed it; `handling_unit` is whose turn it is now.
    owner_id = Column(Integer, ForeignKey("organization.id"), nullable=False, index=True)
    handling_unit_id = Column(Integer, ForeignKey("organization.id"), index=True)
    handler_id = Column(Integer, ForeignKey("organization.id"), index=True)  # committee/district/station
    lead_department_id = Column(Integer, ForeignKey("organization.id"), index=True)
    created_by_id = Column(Integer, ForeignKey("ab_user.id"))
    created_at = Column(DateTime, nullable=False, default=clock.column_now, index=True)

    # Decisions recorded on the way
    escalation_opinion = Column(Text)  # 乡镇意见 on the township report form
    rejection_reason = Column(Text)
    measures = Column(Text)  # what was done (处置措施)
    duplicate_of_id = Column(Integer, ForeignKey("report.id"), index=True)
    repeat_of_id = Column(Integer, ForeignKey("report.id"), index=True)  # 反弹: same site, closed before

    # Deadlines (calendar days, settings) and when each stage ended
    report_due = Column(Date)  # discovery + village_report_days
    late_report = Column(Boolean, nullable=False, default=False)
    submitted_at = Column(DateTime, index=True)
    escalation_due = Column(Date)  # arrival + township_escalation_days
    escalated_at = Column(DateTime)
    dispatched_at = Column(DateTime)
    ack_due = Column(Date)
    acknowledged_at = Column(DateTime)
    resolution_due = Column(Date)
    resolved_at = Column(DateTime)
    closed_at = Column(DateTime)  # when it ended: closed or rejected
    due_on = Column(Date, index=True)  # the deadline of the current stage; None when nobody is late

    village = relationship(Organization, foreign_keys=[village_id], lazy="joined", innerjoin=True)
    owner = relationship(Organization, foreign_keys=[owner_id], lazy="select")
    handling_unit = relationship(Organization, foreign_keys=[handling_unit_id], lazy="joined")
    handler = relationship(Organization, foreign_keys=[handler_id], lazy="select")
    lead_department = relationship(Organization, foreign_keys=[lead_department_id], lazy="select")
    assisting = relationship(Organization, secondary=report_assisting, lazy="select")
    category = relationship("Category", lazy="joined", innerjoin=True)
    created_by = relationship("OrgUser", lazy="select")
    duplicate_of = relationship("Report", remote_side=[id], foreign_keys=[duplicate_of_id],
                                backref="duplicates")
    repeat_of = relationship("Report", remote_side=[id], foreign_keys=[repeat_of_id], backref="repeats")
    # Deleting a case deletes its events, which refuse it: only drafts (no events) can go.
    events = relationship("ReportEvent", back_populates="report", order_by="ReportEvent.id",
                          cascade="all, delete-orphan")
    attachments = relationship("Attachment", back_populates="report", order_by="Attachment.id",
                               cascade="all, delete-orphan")
    enforcement = relationship("Enforcement", back_populates="report", uselist=False,
                               cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.number or str(_l("Draft %(id)s", id=self.id))

    __repr__ = __str__

    @property
    def state_label(self) -> str:
        return str(STATES.get(self.state, self.state))

    @property
    def source_label(self) -> str:
        return str(SOURCES.get(self.source, self.source))

    @property
    def overdue(self) -> bool:
        return self.state in OPEN_STATES and self.due_on is not None and self.due_on < clock.today()

    @property
    def duplicate_ids(self) -> list[int]:
        """Cases rejected as duplicates of this one (the other side of `duplicate_of`)."""
        return [other.id for other in self.duplicates]

    @property
    def repeat_ids(self) -> list[int]:
        """Later cases at this case's site (反弹)."""
        return [other.id for other in self.repeats]

    @property
    def due_status(self) -> tuple:
        """(current deadline, overdue?) for lists that mark late cases."""
        return self.due_on, self.overdue

    @classmethod
    def in_scope(cls, root: Organization):
        """Cases of villages under `root` once submitted, `root`'s own drafts, and cases routed to it."""
        below = Organization.in_scope(root)
        return or_(
            cls.owner_id == root.id,
            and_(cls.state != "draft", or_(
                cls.village.has(below),
                cls.handler.has(below),
                cls.lead_department.has(below),
                cls.assisting.any(below),
            )),
        )

    @classmethod
    def overdue_condition(cls):
        return and_(cls.state.in_(OPEN_STATES), cls.due_on < clock.today())


class ReportEvent(Model):
    """One step of a case (the audit trail, 台账 source). Append-only: never updated or deleted."""

    __tablename__ = "report_event"

    id = Column(Integer, primary_key=True)
    report_id = Column(Integer, ForeignKey("report.id", ondelete="CASCADE"), nullable=False, index=True)
    action = Column(String(16), nullable=False, index=True)
    from_state = Column(String(16))
    to_state = Column(String(16), nullable=False)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    organization_id = Column(Integer, ForeignKey("organization.id"), index=True)
    at = Column(DateTime, nullable=False, default=clock.column_now, index=True)
    comment = Column(Text)
    stage_seconds = Column(Integer)  # time the case spent in `from_state` (which level used the time)

    report = relationship(Report, back_populates="events")
    user = relationship("OrgUser", lazy="joined")
    organization = relationship(Organization, lazy="joined")

    def __str__(self) -> str:
        return f"{self.report_id}:{self.action}"

    @classmethod
    def in_scope(cls, root: Organization):
        return cls.report.has(Report.in_scope(root))


@event.listens_for(ReportEvent, "before_update")
@event.listens_for(ReportEvent, "before_delete")
def _append_only(mapper, connection, target):
    raise RuntimeError("report events are append-only")


class Enforcement(Model):
    """部门处置: 两断三清 (断水, 断电, 清原料, 清设备, 清场地) with dates and evidence, penalties, result."""

    __tablename__ = "enforcement"

    id = Column(Integer, primary_key=True)
    report_id = Column(Integer, ForeignKey("report.id", ondelete="CASCADE"), nullable=False, unique=True)
    department_id = Column(Integer, ForeignKey("organization.id"), nullable=False, index=True)
    water_cut_on = Column(Date)  # 断水
    water_cut_evidence = Column(Text)
    power_cut_on = Column(Date)  # 断电
    power_cut_evidence = Column(Text)
    materials_cleared_on = Column(Date)  # 清原料
    materials_cleared_evidence = Column(Text)
    equipment_cleared_on = Column(Date)  # 清设备
    equipment_cleared_evidence = Column(Text)
    site_cleared_on = Column(Date)  # 清场地
    site_cleared_evidence = Column(Text)
    fine_yuan = Column(Numeric(12, 2))  # 罚款
    cases_filed = Column(Integer)  # 立案
    people_handled = Column(Integer)  # 处理人员
    penalties = Column(Text)  # 经济、法律、行政措施
    result = Column(Text)
    recorded_at = Column(DateTime, nullable=False, default=clock.column_now)

    report = relationship(Report, back_populates="enforcement")
    department = relationship(Organization)


# 两断三清, in the order of the notice: (field stem, label)
ENFORCEMENT_STEPS = (
    ("water_cut", _l("Water cut off")),  # 断水
    ("power_cut", _l("Power cut off")),  # 断电
    ("materials_cleared", _l("Raw materials cleared")),  # 清原料
    ("equipment_cleared", _l("Equipment cleared")),  # 清设备
    ("site_cleared", _l("Site cleared")),  # 清场地
)


class Attachment(Model):
    """A photo or PDF of a case, stored under a server-made name outside any static folder."""

    __tablename__ = "attachment"

    id = Column(Integer, primary_key=True)
    report_id = Column(Integer, ForeignKey("report.id", ondelete="CASCADE"), nullable=False, index=True)
    event_id = Column(Integer, ForeignKey("report_event.id"))
    stored_name = Column(String(64), nullable=False, unique=True)
    filename = Column(String(200), nullable=False)  # as the user named it, for display only
    content_type = Column(String(50), nullable=False)
    size = Column(Integer, nullable=False)
    uploaded_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    uploaded_at = Column(DateTime, nullable=False, default=clock.column_now)

    report = relationship(Report, back_populates="attachments")
    uploaded_by = relationship("OrgUser", lazy="joined")

    def __str__(self) -> str:
        return self.filename

    @classmethod
    def in_scope(cls, root: Organization):
        return cls.report.has(Report.in_scope(root))
