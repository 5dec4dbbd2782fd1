"""One menu entry per kind of unit (县, 部门, 乡镇 …), all over the one organisation table."""
from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.filters import FilterEqual, FilterIn
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms.validators import Email, Length, Optional, Regexp, ValidationError

from app.models import KINDS, PARENT_KINDS, Organization, placement_error
from app.models.organization import CODE_MESSAGE, CODE_PATTERN, PHONE_MESSAGE, PHONE_PATTERN
from app.security.permissions import VIEW_METHODS
from app.security.scope import SCOPE

ORGANIZATION_LABELS = {
    "name": _l("Name"),
    "kind": _l("Kind"),
    "kind_label": _l("Kind"),
    "parent": _l("Parent unit"),
    "code": _l("Official code"),
    "principal": _l("Principal"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "active": _l("Active"),
}

PHONE = Regexp(PHONE_PATTERN, message=PHONE_MESSAGE)
CODE = Regexp(CODE_PATTERN, message=CODE_MESSAGE)


class ParentFits:
    """Form validator: the chosen parent is a kind this unit may hang under."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, form, field):
        error = placement_error(self.kind, field.data)
        if error:
            raise ValidationError(error)


class OrganizationView(ModelView):
    """Shared by the per-kind views; a subclass names its `kind` and its titles."""

    datamodel = SQLAInterface(Organization)
    class_permission_name = "Organization"
    method_permission_name = VIEW_METHODS
    kind = ""

    list_columns = ["name", "parent", "code", "principal", "phone", "active"]
    show_columns = ["name", "kind_label", "parent", "code", "principal", "phone", "email", "active"]
    add_columns = edit_columns = ["name", "parent", "code", "principal", "phone", "email", "active"]
    search_columns = ["name", "code", "parent", "principal", "active"]
    order_columns = ["name", "code"]
    base_order = ("path", "asc")
    label_columns = ORGANIZATION_LABELS
    page_size = 50

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.route_base = f"/organization/{cls.kind}"
        cls.base_filters = [["kind", FilterEqual, cls.kind], SCOPE]
        parents = {"parent": [["kind", FilterIn, list(PARENT_KINDS[cls.kind])], SCOPE]}
        cls.add_form_query_rel_fields = cls.edit_form_query_rel_fields = parents
        cls.validators_columns = {
            "parent": [ParentFits(cls.kind)],
            "name": [Length(max=100)],
            "code": [Optional(), CODE],
            "phone": [Optional(), PHONE],
            "email": [Optional(), Email(message=_l("Enter a valid e-mail address"))],
        }
        if not PARENT_KINDS[cls.kind]:
            cls.add_columns = cls.edit_columns = [c for c in cls.add_columns if c != "parent"]

    def pre_add(self, item):
        item.kind = self.kind



class CountyView(OrganizationView):
    kind = "county"
    list_title, add_title = _l("Counties"), _l("Add county")
    edit_title, show_title = _l("Edit county"), _l("County")


class DepartmentView(OrganizationView):
    kind = "department"
    list_title, add_title = _l("Departments"), _l("Add department")
    edit_title, show_title = _l("Edit department"), _l("Department")


class TownshipView(OrganizationView):
    kind = "township"
    list_title, add_title = _l("Townships"), _l("Add township")
    edit_title, show_title = _l("Edit township"), _l("Township")


class CommitteeView(OrganizationView):
    kind = "committee"
    list_title, add_title = _l("Committees"), _l("Add committee")
    edit_title, show_title = _l("Edit committee"), _l("Committee")


class DistrictView(OrganizationView):
    kind = "district"
    list_title, add_title = _l("Management districts"), _l("Add management district")
    edit_title, show_title = _l("Edit management district"), _l("Management district")


class StationView(OrganizationView):
    kind = "station"
    list_title, add_title = _l("Stations"), _l("Add station")
    edit_title, show_title = _l("Edit station"), _l("Station")


class VillageView(OrganizationView):
    kind = "village"
    list_title, add_title = _l("Villages"), _l("Add village")
    edit_title, show_title = _l("Edit village"), _l("Village")


class GridView(OrganizationView):
    kind = "grid"
    list_title, add_title = _l("Grids"), _l("Add grid")
    edit_title, show_title = _l("Edit grid"), _l("Grid")


KIND_VIEWS = (CountyView, DepartmentView, TownshipView, CommitteeView, DistrictView,
              StationView, VillageView, GridView)
assert [v.kind for v in KIND_VIEWS] == list(KINDS)
