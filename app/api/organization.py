"""REST resource `organization`: the tree, within the caller's scope."""
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import ScopedApi
from app.services.errors import Invalid
from app.models import Organization, placement_error
from flask_babel import gettext as _

from app.security.scope import SCOPE, visible

COLUMNS = ["name", "kind", "parent", "code", "principal", "phone", "email", "active"]


class OrganizationApi(ScopedApi):
    resource_name = "organization"
    datamodel = SQLAInterface(Organization)
    class_permission_name = "Organization"
    list_columns = ["id", "name", "kind", "parent_id", "path", "code", "principal", "phone", "email", "active"]
    show_columns = list_columns
    add_columns = COLUMNS
    edit_columns = [c for c in COLUMNS if c != "kind"]
    search_columns = ["name", "kind", "code", "parent", "active"]
    order_columns = ["name", "code", "path"]
    base_order = ("path", "asc")
    add_query_rel_fields = edit_query_rel_fields = {"parent": [SCOPE]}

    def validate(self, unit):
        if unit.parent is not None and not visible(Organization, unit.parent):
            raise Invalid({"parent": [_("No such parent unit")]})
        error = placement_error(unit.kind, unit.parent)
        if error:
            raise Invalid({"parent": [error]})
