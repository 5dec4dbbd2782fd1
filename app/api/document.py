"""REST resource `document`: ask for a ledger or case file, follow its job, download it (scope checked)."""
from datetime import date

from flask import g, request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _

from app.api.base import ScopedApi, is_id
from app.api.files import file_response
from app.models import Document
from app.security.permissions import READ
from app.services import documents
from app.services.errors import Invalid


def _day(body: dict, field: str) -> date | None:
    try:
        return date.fromisoformat(body.get(field) or "")
    except (TypeError, ValueError):
        raise Invalid({field: [_("Enter a date as YYYY-MM-DD")]}) from None


def _whole(body: dict, field: str) -> int:
    value = body.get(field)
    if not is_id(value):
        raise Invalid({field: [_("Enter a whole number")]})
    return value


class DocumentApi(ScopedApi):
    resource_name = "document"
    datamodel = SQLAInterface(Document)
    class_permission_name = "Document"
    method_permission_name = {**ScopedApi.method_permission_name, "request_document": READ, "file": READ}
    include_route_methods = {"get", "get_list", "request_document", "file"}
    list_columns = show_columns = ["id", "kind", "kind_label", "format", "organization.id", "organization.name",
                                   "report_id", "period_start", "period_end", "requested_at", "state", "progress",
                                   "filename", "size", "finished_at"]
    search_columns = ["kind", "state", "requested_at"]
    order_columns = ["id", "requested_at"]
    base_order = ("id", "desc")

    @expose("/", methods=["POST"])
    @protect()
    @safe
    def request_document(self):
        """Ask for a document: {"kind": "village_ledger"|"township_ledger", "unit_id", "start", "end",
        "format": "pdf"|"xlsx"} or {"kind": "case_file", "report_id"}; 202 with the queued document."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_422(message=_("The request body must be a JSON object"))
        return self._saving(lambda: self._queued(self._request(body)))

    @staticmethod
    def _request(body: dict) -> Document:
        kind = body.get("kind")
        if kind == "case_file":
            return documents.request_case_file(g.user, _whole(body, "report_id"))
        if isinstance(kind, str) and kind in documents.LEDGER_KINDS:
            return documents.request_ledger(g.user, kind, _whole(body, "unit_id"), _day(body, "start"),
                                            _day(body, "end"), body.get("format", "pdf"), unit_field="unit_id")
        raise Invalid({"kind": [_("Choose village_ledger, township_ledger or case_file")]})

    def _queued(self, document: Document):
        return self.response(202, id=document.id, result=self.show_model_schema.dump(document))

    @expose("/<int:pk>/file", methods=["GET"])
    @protect()
    @safe
    def file(self, pk: int):
        """The rendered file; 404 outside the caller's scope, 409 while it is not ready."""
        return self._saving(lambda: file_response(*documents.document_file(pk, g.user)))
