"""Categories of illegal activity and who leads on them (谁管合法，谁打非法, DESIGN §3)."""
from flask_appbuilder import Model
from flask_babel import gettext as _
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import relationship

# The categories named in the notice, in its order, then 其他.
NOTICE_CATEGORIES = (
    "非法建设",
    "非法采矿",
    "非法经营液化气、汽油、柴油",
    "非法生产小化工、小医药",
    "非法存储危险化学品",
    "非法制作经营烟花爆竹",
    "其他",
)


class Category(Model):
    __tablename__ = "category"

    id = Column(Integer, primary_key=True)
    name = Column(String(50), unique=True, nullable=False)
    description = Column(Text)
    sort_order = Column(Integer, nullable=False, default=0)
    active = Column(Boolean, nullable=False, default=True)

    def __str__(self) -> str:
        return self.name

    __repr__ = __str__


routing_rule_assisting = Table(
    "routing_rule_assisting",
    Model.metadata,
    Column("routing_rule_id", Integer, ForeignKey("routing_rule.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", Integer, ForeignKey("organization.id"), primary_key=True),
)


class RoutingRule(Model):
    """(category, township) → lead committee; (category, county) → lead and assisting departments."""

    __tablename__ = "routing_rule"
    __table_args__ = (UniqueConstraint("category_id", "area_id"),)

    id = Column(Integer, primary_key=True)
    category_id = Column(Integer, ForeignKey("category.id"), nullable=False, index=True)
    area_id = Column(Integer, ForeignKey("organization.id"), nullable=False, index=True)
    lead_id = Column(Integer, ForeignKey("organization.id"), nullable=False, index=True)

    category = relationship("Category", lazy="joined")
    area = relationship("Organization", foreign_keys=[area_id], lazy="joined")
    lead = relationship("Organization", foreign_keys=[lead_id], lazy="joined")
    assisting = relationship("Organization", secondary=routing_rule_assisting, lazy="selectin")

    def __str__(self) -> str:
        return f"{self.category} @ {self.area} → {self.lead}"

    @classmethod
    def in_scope(cls, root):
        """Rules for areas in the subtree of `root`."""
        from app.models.organization import Organization

        return cls.area.has(Organization.in_scope(root))


def routing_error(area, lead, assisting=()) -> str | None:
    """Why a rule cannot route `area` to `lead` (translated), or None when it can."""
    if area is None or lead is None:
        return None
    if area.kind == "township":
        if lead.kind not in ("committee", "district", "station") or not area.contains(lead):
            return _("A township's lead unit must be one of its own committees, districts or stations")
        if assisting:
            return _("Assisting departments are only for county dispatch")
    elif area.kind == "county":
        units = [lead, *assisting]
        if any(u.kind != "department" or not area.contains(u) for u in units):
            return _("A county's lead and assisting units must be its own departments")
        if lead in assisting:
            return _("The lead department cannot also be an assisting department")
    else:
        return _("A rule applies to a township or a county")
    return None
