"""Cases in the browser: the work queue (待办), all cases, the case page with its actions.

Views stay declarative; the case page's buttons post to `act`, which calls the same workflow
service as the REST API, so both doors follow one set of rules.
"""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import LazyString, gettext as _, lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import and_
from wtforms import SelectField
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp, ValidationError

from app.api.attachment import send_attachment
from app.api.files import file_response
from app.documents.forms import township_form_pdf, village_form_pdf
from app.api.report import DraftRules
from app.extensions import db
from app.i18n import human, yes_no
from app.models import STATES, Attachment, Report, get_setting
from app.models.organization import PHONE_MESSAGE, PHONE_PATTERN
from app.models.report import ENFORCEMENT_STEPS, SOURCES
from app.security.permissions import READ, VIEW_METHODS
from app.security.scope import SCOPE, acting_user
from app.services import attachments, documents, workflow
from app.services.errors import Invalid, Refused
from app.views.base import AppModelView, or_404
from app.views.lookup import LookupField

REPORT_LABELS = {
    "number": _l("Case number"),
    "state": _l("State"),
    "state_label": _l("State"),
    "source": _l("Source"),
    "source_label": _l("Source"),
    "village": _l("Village name"),  # 村居名称
    "principal": _l("Principal (signature)"),  # 主要负责人
    "activity": _l("Illegal production, business or construction"),  # 非法生产经营建设行为
    "discovered_on": _l("Discovered on"),  # 排查时间
    "reported_on": _l("Reported on"),  # 上报时间
    "reporter": _l("Reported by (signature)"),  # 上报人
    "reporter_phone": _l("Contact phone"),  # 联系方式
    "category": _l("Category"),
    "address": _l("Address"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
    "party": _l("Party involved"),
    "stopped_on_site": _l("Stopped on the spot"),
    "stop_measures": _l("How it was stopped"),
    "handling_unit": _l("Handling unit"),
    "handler": _l("Township handler"),
    "lead_department": _l("Lead department"),
    "assisting": _l("Assisting departments"),
    "escalation_opinion": _l("Township opinion"),
    "rejection_reason": _l("Reason for rejection"),
    "measures": _l("Measures taken"),
    "duplicate_of": _l("Duplicate of"),
    "repeat_of": _l("Repeat of a closed case"),
    "late_report": _l("Reported late"),
    "due_status": _l("Deadline"),
    "due_on": _l("Deadline"),
    "report_due": _l("Report due"),
    "escalation_due": _l("Escalation due"),
    "ack_due": _l("Acknowledgement due"),
    "resolution_due": _l("Resolution due"),
    "submitted_at": _l("Submitted at"),
    "resolved_at": _l("Resolved at"),
    "closed_at": _l("Ended at"),
    "created_at": _l("Created at"),
}


def due_status(value) -> Markup:
    """The current deadline; red with 已逾期 when it has passed."""
    due_on, overdue = value
    if due_on is None:
        return Markup("")
    if overdue:
        return Markup('<span class="label label-danger">{} {}</span>').format(human(due_on), _("Overdue"))
    return Markup("{}").format(human(due_on))


def names(units) -> str:
    """Units as people write them: 公安局、市场监督管理局."""
    return "、".join(unit.name for unit in units)


def blank(value):
    return "" if value is None else value


def not_in_future(form, field):
    error = workflow.discovery_error(field.data)
    if error:
        raise ValidationError(error)


def not_before_discovery(form, field):
    error = workflow.report_date_error(form.discovered_on.data, field.data)
    if error:
        raise ValidationError(error)


class OverdueFilter(BaseFilter):
    """List filter “已逾期”: open cases whose current deadline has passed."""

    name = _l("Overdue")
    arg_name = "overdue"

    def apply(self, query, value):
        return query.filter(Report.overdue_condition())


class InboxFilter(BaseFilter):
    """The cases whose turn it is for the user's unit (handling unit), finished ones excluded."""

    name = "inbox"
    arg_name = "inbox"

    def apply(self, query, value):
        return query.filter(inbox_condition(acting_user()))


def inbox_condition(user):
    org = getattr(user, "organization", None)
    if org is None:
        return Report.id.is_(None)
    return and_(Report.handling_unit_id == org.id, Report.state.notin_(("closed", "rejected")))


def inbox_count(user) -> int:
    """How many cases wait for the user's unit (the number in the menu), counted once per request."""
    if user is None or not user.is_authenticated:
        return 0
    if "inbox_count" not in g:
        g.inbox_count = db.session.query(Report.id).filter(inbox_condition(user)).count()
    return g.inbox_count


class ReportView(DraftRules, AppModelView):
    route_base = "/report"
    datamodel = SQLAInterface(Report)
    class_permission_name = "Report"
    method_permission_name = {**VIEW_METHODS, "act": READ, "urge": READ, "attachment": READ, "upload": READ,
                              "form_pdf": READ, "township_form_pdf": READ}
    list_title, add_title = _l("All cases"), _l("New village report")
    edit_title, show_title = _l("Edit draft"), _l("Case")
    list_template = "report/list.html"
    show_template = "report/show.html"
    page_size = 25

    list_columns = ["number", "village", "category", "activity", "state_label", "handling_unit", "due_status",
                    "discovered_on"]
    add_columns = edit_columns = ["village", "category", "activity", "discovered_on", "reported_on", "address",
                                  "party", "stopped_on_site", "stop_measures", "principal", "reporter",
                                  "reporter_phone", "latitude", "longitude"]
    show_fieldsets = [
        (_l("Village report (Annex 2)"), {"fields": ["number", "village", "principal", "activity", "discovered_on",
                                                     "reported_on", "reporter", "reporter_phone"]}),
        (_l("Site"), {"fields": ["category", "address", "latitude", "longitude", "party", "stopped_on_site",
                                 "stop_measures", "source_label"]}),
        (_l("Handling"), {"fields": ["state_label", "handling_unit", "handler", "lead_department", "assisting",
                                     "escalation_opinion", "rejection_reason", "measures", "duplicate_of",
                                     "repeat_of"]}),
    ]
    search_columns = ["state", "category", "village", "handling_unit", "source", "discovered_on", "number",
                      "activity", "address", "party", "due_on"]
    order_columns = ["number", "discovered_on"]
    base_order = ("id", "desc")
    base_filters = [SCOPE]
    label_columns = REPORT_LABELS
    formatters_columns = {"due_status": due_status, "discovered_on": human, "reported_on": human,
                          "stopped_on_site": yes_no, "assisting": names}
    add_form_query_rel_fields = edit_form_query_rel_fields = {"category": [["active", FilterEqual, True]]}
    add_form_extra_fields = edit_form_extra_fields = {
        "village": LookupField(REPORT_LABELS["village"], [InputRequired(message=_l("Choose a village"))],
                               kinds=["village"],
                               description=_l("A village user's report is always for their own village")),
    }
    search_form_extra_fields = {
        "village": LookupField(REPORT_LABELS["village"], kinds=["village"]),
        "handling_unit": LookupField(REPORT_LABELS["handling_unit"]),
        "state": SelectField(_l("State"), choices=list(STATES.items())),
        "source": SelectField(_l("Source"), choices=list(SOURCES.items())),
    }
    validators_columns = {
        "discovered_on": [not_in_future],
        "reported_on": [not_before_discovery],
        "reporter_phone": [Regexp(PHONE_PATTERN, message=PHONE_MESSAGE)],
        "latitude": [Optional(), NumberRange(-90, 90, message=_l("A latitude lies between -90 and 90"))],
        "longitude": [Optional(), NumberRange(-180, 180, message=_l("A longitude lies between -180 and 180"))],
    }
    description_columns = {
        "reported_on": _l("Left empty, the date of submission"),
        "discovered_on": LazyString(lambda: _("The report is due %(days)s days after discovery",
                                              days=get_setting("village_report_days"))),
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for fieldset in self.show_fieldsets:  # empty fields show as blanks, not "None"
            for column in fieldset[1]["fields"]:
                self.formatters_columns.setdefault(column, blank)
        # “已逾期” joins the filters of the deadline column (FAB keeps two lists of them).
        overdue = OverdueFilter("due_on", self.datamodel)
        self._filters.get_search_filters()["due_on"].append(overdue)
        self._filters._all_filters["due_on"].append(overdue)
        index = self._filters.get_search_filters()["due_on"].index(overdue)
        self.extra_args = {"states": STATES, "overdue_filter_index": index}

    # -- the draft's own fields: same rules as the API

    def _get_add_widget(self, form, exclude_cols=None, widgets=None):
        if request.method == "GET":  # a new form starts filled with what the server knows
            for field, value in workflow.prefill_for(g.user).items():
                getattr(form, field).data = value
        return super()._get_add_widget(form, exclude_cols=exclude_cols, widgets=widgets)

    def _edit(self, pk):
        report = self.datamodel.get(pk, self._base_filters)
        if report is not None and not workflow.may_edit(report, g.user):
            flash(str(workflow.NOT_EDITABLE), "danger")
            return None  # FAB sends the user back
        return super()._edit(pk)

    # -- the case page

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        report = self.datamodel.get(pk, self._base_filters)
        if report is None:
            abort(404)
        widgets = self._get_show_widget(pk, report)
        self.update_redirect()
        actions = workflow.available_actions(report, g.user)
        return self.render_template(
            self.show_template, pk=pk, title=self.show_title, widgets=widgets, report=report,
            actions=actions, may_attach=attachments.may_attach(report, g.user),
            may_edit=workflow.may_edit(report, g.user), may_urge=workflow.may_urge(report, g.user),
            choices=_action_choices(report) if actions else {},
            enforcement_steps=ENFORCEMENT_STEPS, labels=REPORT_LABELS, state_labels=STATES,
            action_labels={name: action.label for name, action in workflow.ACTIONS.items()},
        )

    @expose("/<int:pk>/act/<action>", methods=["POST"])
    @has_access
    def act(self, pk, action):
        """One workflow action from the case page; errors come back as messages, nothing saved."""
        data = {key: request.form.get(key) for key in request.form if key != "csrf_token"}
        data["assisting_department_ids"] = request.form.getlist("assisting_department_ids")
        spec = workflow.ACTIONS.get(action)
        return _on_case_page(pk, lambda: workflow.perform(action, pk, g.user, data),
                             _("Done: %(action)s", action=spec.label if spec else action))

    @expose("/<int:pk>/urge", methods=["POST"])
    @has_access
    def urge(self, pk):
        """催办 from the case page: a reminder to the unit holding the case."""
        return _on_case_page(pk, lambda: workflow.urge(pk, g.user, request.form.get("comment")),
                             _("Reminder sent"))

    @expose("/<int:pk>/form.pdf", methods=["GET"])
    @has_access
    def form_pdf(self, pk):
        """附件2 安全生产打非村居上报表, filled in, for printing and signing."""
        report = or_404(workflow.find_report, pk, g.user)
        return file_response(village_form_pdf(report), documents.village_form_filename(report))

    @expose("/<int:pk>/township-form.pdf", methods=["GET"])
    @has_access
    def township_form_pdf(self, pk):
        """安全生产打非乡镇上报表, once the township has escalated the case."""
        report = or_404(workflow.find_report, pk, g.user)
        if report.escalated_at is None:
            abort(404)
        return file_response(township_form_pdf(report), documents.township_form_filename(report))

    @expose("/<int:pk>/attachment", methods=["POST"])
    @has_access
    def upload(self, pk):
        return _on_case_page(pk, lambda: attachments.add_attachment(workflow.find_report(pk, g.user), g.user,
                                                                    request.files.get("file")),
                             _("File attached"))

    @expose("/<int:pk>/attachment/<int:attachment_id>", methods=["GET"])
    @has_access
    def attachment(self, pk, attachment_id):
        or_404(workflow.find_report, pk, g.user)
        found = db.session.query(Attachment).filter_by(id=attachment_id, report_id=pk).one_or_none()
        if found is None:
            abort(404)
        return send_attachment(found)


def _on_case_page(pk, step, done: str):
    """Run a step from the case page and go back to it: refusals and field errors become messages."""
    try:
        step()
    except Refused as refused:
        if refused.status == 404:
            abort(404)
        flash(refused.message, "danger")
    except Invalid as invalid:
        for message in invalid.messages:
            flash(message, "danger")
    else:
        flash(done, "success")
    return redirect(url_for("ReportView.show", pk=pk))


def _action_choices(report) -> dict:
    """Units the action forms offer, with the routing rule's suggestion first (谁管合法，谁打非法)."""
    if report.state in ("submitted", "handling"):
        rule = workflow.suggested_route(report, workflow.township_of(report))
        return {"handlers": workflow.handler_choices(report), "suggested_handler": rule.lead if rule else None}
    if report.state == "escalated":
        rule = workflow.suggested_route(report, workflow.county_of(report))
        return {"departments": workflow.department_choices(report),
                "suggested_lead": rule.lead if rule else None,
                "suggested_assisting": list(rule.assisting) if rule else []}
    return {}


class InboxView(ReportView):
    """我的待办: the cases waiting for the user's unit, oldest deadline first."""

    route_base = "/inbox"
    list_title = _l("My work queue")
    base_filters = [SCOPE, ["id", InboxFilter, None]]
    base_order = ("due_on", "asc")
    list_template = "report/inbox.html"

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        return redirect(url_for("ReportView.show", pk=pk))
