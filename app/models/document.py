"""Documents produced by jobs (DESIGN §5): ledgers, case files and exports, stored with who asked and when.

The file lives in DOCUMENT_FOLDER under a random name; the row says what it is about, which is
what the row scope checks before anyone downloads it.
"""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Text, and_, or_
from sqlalchemy.orm import relationship

from app import clock
from app.models.organization import Organization
from app.models.report import Report



DOCUMENT_KINDS = {
    "village_ledger": _l("Village ledger"),  # 村居安全生产打非工作台账
    "township_ledger": _l("Township ledger"),  # 乡镇安全生产打非工作台账
    "case_file": _l("Case file"),  # 案卷
    "case_list": _l("Case list"),  # 案件清单
}
DOCUMENT_STATES = {
    "queued": _l("Waiting"),
    "running": _l("Rendering"),
    "done": _l("Ready"),
    "failed": _l("Failed"),
}


class Document(Model):
    """One requested file: queued, rendered by a job with progress, then downloadable within scope."""

    __tablename__ = "document"

    id = Column(Integer, primary_key=True)
    kind = Column(String(20), nullable=False)
    format = Column(String(8), nullable=False)  # pdf | xlsx
    organization_id = Column(Integer, ForeignKey("organization.id"), index=True)  # the ledger's unit
    report_id = Column(Integer, ForeignKey("report.id", ondelete="CASCADE"), index=True)  # the case file's case
    period_start = Column(Date)
    period_end = Column(Date)
    query = Column(Text)  # a case list's filters, as the list page's query string
    requested_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False, index=True)
    requested_at = Column(DateTime, nullable=False, default=clock.column_now)
    state = Column(String(12), nullable=False, default="queued")
    started_at = Column(DateTime)  # when a job took it; a stale start means the job died
    progress = Column(Integer, nullable=False, default=0)  # percent
    rows = Column(Integer)
    filename = Column(String(200))  # what the browser saves it as
    stored_name = Column(String(64))  # random name in DOCUMENT_FOLDER
    size = Column(Integer)
    error = Column(Text)
    finished_at = Column(DateTime)

    organization = relationship(Organization)
    report = relationship(Report)
    requested_by = relationship("OrgUser")

    @property
    def kind_label(self) -> str:
        return str(DOCUMENT_KINDS.get(self.kind, self.kind))

    @property
    def state_label(self) -> str:
        return str(DOCUMENT_STATES.get(self.state, self.state))

    @classmethod
    def in_scope(cls, root: Organization):
        """Ledgers of units in the subtree, and case files of cases the unit may see."""
        return or_(and_(cls.kind.in_(("village_ledger", "township_ledger")),
                        cls.organization.has(Organization.in_scope(root))),
                   and_(cls.kind == "case_file", cls.report.has(Report.in_scope(root))))

    @classmethod
    def owned_by(cls, user):
        """A case list holds what its requester could see (an administrator sees everything), so it is theirs alone."""
        return and_(cls.kind == "case_list", cls.requested_by_id == user.id)
