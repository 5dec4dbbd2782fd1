"""REST resources `report` (with the workflow actions) and `report_event` (DESIGN §10)."""
from flask import g, request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import ScopedApi
from app.api.files import file_response
from app.documents.forms import village_form_pdf
from app.models import Report, ReportEvent
from app.security.permissions import READ
from app.security.scope import SCOPE
from app.services import workflow
from app.services.documents import village_form_filename
from app.services.errors import Refused

# The case's own fields, editable while it is a draft; everything else changes through actions.
REPORT_FIELDS = ["village", "category", "activity", "discovered_on", "reported_on", "address", "latitude",
                 "longitude", "party", "stopped_on_site", "stop_measures", "principal", "reporter",
                 "reporter_phone"]
REPORT_READ = ["id", "number", "state", "state_label", "source", "overdue", "village.id", "village.name",
               "category.id", "category.name", "activity", "discovered_on", "reported_on", "address",
               "latitude", "longitude", "party", "stopped_on_site", "stop_measures", "principal", "reporter",
               "reporter_phone", "handling_unit.id", "handling_unit.name", "handler.id", "handler.name",
               "lead_department.id", "lead_department.name", "escalation_opinion", "rejection_reason",
               "measures", "duplicate_of_id", "duplicate_ids", "repeat_of_id", "repeat_ids", "late_report",
               "report_due", "submitted_at",
               "escalation_due", "ack_due", "resolution_due", "due_on", "resolved_at", "closed_at",
               "created_at"]


class DraftRules:
    """FAB hooks shared by the case API and the case pages: drafts follow the workflow's rules."""

    def pre_add(self, item):
        workflow.prepare_draft(item, g.user, new=True)

    def pre_update(self, item):
        workflow.prepare_draft(item, g.user, new=False)

    def pre_delete(self, item):
        if not workflow.may_edit(item, g.user):
            raise Refused(workflow.NOT_EDITABLE)


class ReportApi(DraftRules, ScopedApi):
    resource_name = "report"
    datamodel = SQLAInterface(Report)
    class_permission_name = "Report"
    method_permission_name = {**ScopedApi.method_permission_name, "act": READ, "form_pdf": READ}
    list_columns = ["id", "number", "state", "state_label", "overdue", "village.id", "village.name",
                    "category.name", "activity", "address", "discovered_on", "reported_on",
                    "handling_unit.id", "handling_unit.name", "due_on", "late_report", "created_at"]
    show_columns = REPORT_READ
    add_columns = edit_columns = REPORT_FIELDS
    search_columns = ["state", "source", "village", "category", "handling_unit", "number", "activity", "address",
                      "discovered_on", "due_on"]
    order_columns = ["id", "number", "discovered_on", "due_on", "created_at"]
    base_order = ("id", "desc")
    add_query_rel_fields = edit_query_rel_fields = {
        "village": [["kind", FilterEqual, "village"], SCOPE],
        "category": [["active", FilterEqual, True]],
    }

    @expose("/<int:pk>/<action>", methods=["POST"])
    @protect()
    @safe
    def act(self, pk: int, action: str):
        """Take a workflow action (submit, assign, escalate …) on a case; 200 with the case."""
        body = request.get_json(silent=True)
        body = {} if body is None else body
        if not isinstance(body, dict):
            return self.response_400(message=workflow.BAD_BODY)
        if action == "urge":  # 催办: a reminder, not a change of state
            return self._saving(lambda: self._acted(workflow.urge(pk, g.user, body.get("comment")).report))
        return self._saving(lambda: self._acted(workflow.perform(action, pk, g.user, body)))

    @expose("/<int:pk>/form.pdf", methods=["GET"])
    @protect()
    @safe
    def form_pdf(self, pk: int):
        """附件2 安全生产打非村居上报表, filled in from the case (404 outside the caller's scope)."""
        return self._saving(lambda: self._form(workflow.find_report(pk, g.user)))

    @staticmethod
    def _form(report):
        return file_response(village_form_pdf(report), village_form_filename(report))

    def _acted(self, report):
        return self.response(200, id=report.id, result=self.show_model_schema.dump(report))


class ReportEventApi(ScopedApi):
    """The timeline of the cases the caller may see; read-only (events are append-only)."""

    resource_name = "report_event"
    datamodel = SQLAInterface(ReportEvent)
    class_permission_name = "Report"
    include_route_methods = {"get", "get_list", "info"}
    list_columns = show_columns = ["id", "report_id", "action", "from_state", "to_state", "user.username",
                                   "organization.id", "organization.name", "at", "comment", "stage_seconds"]
    search_columns = ["report", "action", "to_state", "at"]
    order_columns = ["id", "at"]
    base_order = ("id", "asc")
