"""The organisation tree (DESIGN §2): one table, a kind, a parent and a materialised path."""
from flask_appbuilder import Model
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, event, select, update, func
from sqlalchemy.orm import relationship
from sqlalchemy.orm.attributes import get_history, set_committed_value

# Kinds in the order of the tree, with the labels people read.
KINDS = {
    "county": _l("County"),  # 县
    "department": _l("Department"),  # 县直部门
    "township": _l("Township"),  # 乡镇
    "committee": _l("Committee"),  # 专委会
    "district": _l("Management district"),  # 管理区
    "station": _l("Station"),  # 职能站所
    "village": _l("Village"),  # 村/社区
    "grid": _l("Grid"),  # 网格
}

# Formats checked by the forms, the API and the importer alike.
CODE_PATTERN = r"^\d{6,12}$"  # 统计用区划代码: 12 digits for a village, shorter for higher levels
CODE_MESSAGE = _l("An official code is 6 to 12 digits")
PHONE_PATTERN = r"^[0-9+\-() ]{7,20}$"
PHONE_MESSAGE = _l("Enter a phone number of 7 to 20 digits")

# Which kinds of parent each kind may hang under; a county is a root.
PARENT_KINDS: dict[str, tuple[str, ...]] = {
    "county": (),
    "department": ("county",),
    "township": ("county",),
    "committee": ("township",),
    "district": ("township",),
    "station": ("township",),
    "village": ("district", "township"),
    "grid": ("village",),
}


class Organization(Model):
    """A unit of the tree: county, department, township, committee, district, station, village or grid."""

    __tablename__ = "organization"
    __table_args__ = (
        Index("ix_organization_path", "path", postgresql_ops={"path": "varchar_pattern_ops"}),
        Index("ix_organization_kind_name", "kind", "name"),
    )

    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False)
    kind = Column(String(16), nullable=False)
    parent_id = Column(Integer, ForeignKey("organization.id"), index=True)
    # "/1/4/17/": the ids from the root down to this unit, so a subtree is one prefix query.
    path = Column(String(500), nullable=False, default="")
    code = Column(String(12), unique=True)  # 统计用区划代码, where the unit has one
    principal = Column(String(50))  # 主要负责人
    phone = Column(String(30))
    email = Column(String(120))
    active = Column(Boolean, nullable=False, default=True)

    parent = relationship("Organization", remote_side=[id], backref="children")

    def __str__(self) -> str:
        return self.name

    __repr__ = __str__

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))

    def contains(self, other: "Organization | None") -> bool:
        """Whether `other` is this unit or lies below it."""
        return other is not None and bool(self.path) and other.path.startswith(self.path)

    def ancestor(self, kind: str) -> "Organization | None":
        """The unit of `kind` above (or at) this one: a village's township, county …"""
        from app.extensions import db

        ids = [int(i) for i in self.path.strip("/").split("/") if i]
        return db.session.query(Organization).filter(Organization.id.in_(ids), Organization.kind == kind).first()

    @classmethod
    def in_scope(cls, root: "Organization"):
        """SQL condition: the unit is `root` or below it."""
        return cls.path.startswith(root.path)


def placement_error(kind: str, parent: Organization | None) -> str | None:
    """Why a unit of `kind` cannot hang under `parent` (translated), or None when it can.

    Kinds are layered (a parent is always of a higher kind), so these rules also rule out cycles.
    """
    if kind not in KINDS:
        return _("Unknown kind of organisation: %(kind)s", kind=kind)
    allowed = PARENT_KINDS[kind]
    names = _(", ").join(str(KINDS[k]) for k in allowed)
    if parent is None:
        return _("A %(kind)s needs a parent (%(parents)s)", kind=KINDS[kind], parents=names) if allowed else None
    if not allowed:
        return _("A %(kind)s is the top of the tree and has no parent", kind=KINDS[kind])
    if parent.kind not in allowed:
        return _("The parent of a %(kind)s must be a %(parents)s, not a %(parent)s",
                 kind=KINDS[kind], parents=names, parent=parent.kind_label)
    return None


def _parent_path(connection, parent_id: int | None) -> str:
    if parent_id is None:
        return "/"
    table = Organization.__table__
    return connection.execute(select(table.c.path).where(table.c.id == parent_id)).scalar_one()


@event.listens_for(Organization, "after_insert")
def _set_path(mapper, connection, unit: Organization) -> None:
    path = f"{_parent_path(connection, unit.parent_id)}{unit.id}/"
    table = Organization.__table__
    connection.execute(update(table).where(table.c.id == unit.id).values(path=path))
    set_committed_value(unit, "path", path)


@event.listens_for(Organization, "after_update")
def _move_subtree(mapper, connection, unit: Organization) -> None:
    if not get_history(unit, "parent_id").has_changes():
        return
    old = unit.path
    new = f"{_parent_path(connection, unit.parent_id)}{unit.id}/"
    table = Organization.__table__
    connection.execute(
        update(table)
        .where(table.c.path.startswith(old))
        .values(path=new + func.substr(table.c.path, len(old) + 1))
    )
    set_committed_value(unit, "path", new)
