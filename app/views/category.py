"""Categories of illegal activity and routing rules (DESIGN §3)."""
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired, ValidationError

from app.models import Category, RoutingRule, routing_error
from app.i18n import yes_no
from app.views.base import AppModelView
from app.views.lookup import LookupField
from app.security.scope import SCOPE


class CategoryView(AppModelView):
    route_base = "/category"
    datamodel = SQLAInterface(Category)
    class_permission_name = "Category"
    list_title, add_title = _l("Categories"), _l("Add category")
    edit_title, show_title = _l("Edit category"), _l("Category")
    list_columns = ["name", "sort_order", "active"]
    add_columns = edit_columns = show_columns = ["name", "description", "sort_order", "active"]
    search_columns = ["name", "active"]
    base_order = ("sort_order", "asc")
    formatters_columns = {"active": yes_no}
    label_columns = {
        "name": _l("Name"),
        "description": _l("Description"),
        "sort_order": _l("Sort order"),
        "active": _l("Active"),
    }


def rule_fits(form, field):
    """Form validator on `lead`: the rule's lead and assisting units fit its area."""
    error = routing_error(form.area.data, form.lead.data, form.assisting.data or ())
    if error:
        raise ValidationError(error)


class RoutingRuleView(AppModelView):
    route_base = "/routing-rule"
    datamodel = SQLAInterface(RoutingRule)
    class_permission_name = "RoutingRule"
    list_title, add_title = _l("Routing rules"), _l("Add routing rule")
    edit_title, show_title = _l("Edit routing rule"), _l("Routing rule")
    list_columns = ["category", "area", "lead", "assisting"]
    add_columns = edit_columns = show_columns = ["category", "area", "lead", "assisting"]
    search_columns = ["category", "area", "lead"]
    base_filters = [SCOPE]
    label_columns = {
        "category": _l("Category"),
        "area": _l("Applies to"),
        "lead": _l("Lead unit"),
        "assisting": _l("Assisting departments"),
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "area": LookupField(label_columns["area"], [InputRequired(message=_l("Choose a unit"))],
                            kinds=["township", "county"]),
        "lead": LookupField(label_columns["lead"], [InputRequired(message=_l("Choose a unit")), rule_fits],
                            kinds=["committee", "district", "station", "department"]),
        "assisting": LookupField(label_columns["assisting"], kinds=["department"], multiple=True),
    }
    search_form_extra_fields = {
        "area": LookupField(label_columns["area"], kinds=["township", "county"]),
        "lead": LookupField(label_columns["lead"], kinds=["committee", "district", "station", "department"]),
    }
    description_columns = {
        "area": _l("A township (routes to a committee) or the county (routes to departments)"),
    }
