"""Ledgers (台账) and rendered documents in the browser: the ledger pages with PDF and Excel buttons,
and each document's page, whose progress bar moves while a job renders it."""
from datetime import date

from flask import flash, g, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from markupsafe import Markup

from app import clock
from app.api.files import file_response
from app.extensions import db
from app.i18n import human
from app.models import Document, Organization
from app.security.permissions import READ
from app.security.scope import scoped
from app.services import documents
from app.services.errors import Invalid
from app.views.base import or_404

LEDGER_PAGE_SIZE = 50


def _date(value: str | None, default: date) -> date | None:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def default_unit(user, kind: str) -> Organization | None:
    """The unit a ledger opens on: the user's own village or township, when they belong to one."""
    org = getattr(user, "organization", None)
    if org is None:
        return None
    return org if org.kind == kind else org.ancestor(kind)


class LedgerView(BaseView):
    """台账 of one kind of unit, read from the cases, by period; subclasses say which."""

    kind = unit_kind = ""
    default_view = "ledger"
    method_permission_name = {"ledger": READ, "export": READ}

    @expose("/")
    @has_access
    def ledger(self):
        return self._ledger(self.kind, self.unit_kind)

    def _ledger(self, kind: str, unit_kind: str):
        from app.documents.ledger import LEDGERS

        today = clock.today()
        start = _date(request.args.get("start"), today.replace(day=1))
        end = _date(request.args.get("end"), today)
        unit_id = request.args.get("unit", type=int) or getattr(default_unit(g.user, unit_kind), "id", None)
        unit, rows, errors = None, [], []
        if start is None or end is None:
            errors.append(_("Enter a date as YYYY-MM-DD"))
        elif unit_id is not None:
            try:
                unit = documents.ledger_unit(kind, unit_id, g.user)
                documents.check_period(start, end)
            except Invalid as invalid:
                errors += invalid.messages
                unit = None
            else:
                rows = LEDGERS[kind].rows(unit, start, end)
        page = max(request.args.get("page", 1, type=int), 1)
        pages = max((len(rows) + LEDGER_PAGE_SIZE - 1) // LEDGER_PAGE_SIZE, 1)
        columns = LEDGERS[kind].columns
        shown = rows[(page - 1) * LEDGER_PAGE_SIZE:page * LEDGER_PAGE_SIZE]
        return self.render_template(
            "ledger/ledger.html", view_name=type(self).__name__, title=LEDGERS[kind].title, unit=unit,
            start=start, end=end, errors=errors, headers=[column.header for column in columns], total=len(rows),
            page=page, pages=pages, cells=[[human(getattr(row, c.key)) for c in columns] for row in shown],
            unit_select=_unit_select(unit_kind, unit))

    @expose("/export", methods=["POST"])
    @has_access
    def export(self):
        """The PDF or Excel button: a document row and a job; the user goes to its progress page."""
        try:
            document = documents.request_ledger(g.user, self.kind, request.form.get("unit", type=int),
                                                _date(request.form.get("start"), None),
                                                _date(request.form.get("end"), None), request.form.get("format", ""))
        except Invalid as invalid:
            for message in invalid.messages:
                flash(message, "danger")
            return redirect(url_for(f"{type(self).__name__}.ledger"))
        return redirect(url_for("DocumentView.show", pk=document.id))


class VillageLedgerView(LedgerView):
    """村居安全生产打非工作台账 (附件1): a village sees its own; the township and county theirs below."""

    route_base = "/ledger/village"
    class_permission_name = "VillageLedger"
    kind, unit_kind = "village_ledger", "village"


class TownshipLedgerView(LedgerView):
    """乡镇安全生产打非工作台账: every case of a township and how it was handled."""

    route_base = "/ledger/township"
    class_permission_name = "TownshipLedger"
    kind, unit_kind = "township_ledger", "township"


def _unit_select(kind: str, unit: Organization | None) -> Markup:
    """A paged look-up of the units of `kind` within the user's scope (app/static/js/lookup.js)."""
    chosen = Markup('<option value="{}" selected>{}</option>').format(unit.id, unit.name) if unit else ""
    return Markup('<select class="form-control lookup" name="unit" data-url="{}">{}</select>').format(
        url_for("LookupView.organization", kind=kind), chosen)


class DocumentView(BaseView):
    """文件: documents the user asked for or may see, each with its progress and its download."""

    route_base = "/documents"
    default_view = "list"
    class_permission_name = "Document"
    method_permission_name = {"list": READ, "show": READ, "status": READ, "download": READ,
                              "case_file": READ, "case_list": READ}

    @expose("/")
    @has_access
    def list(self):
        found = (scoped(db.session.query(Document), Document, g.user)
                 .order_by(Document.id.desc()).limit(100).all())
        return self.render_template("ledger/documents.html", documents=found, title=_("Documents"))

    @expose("/<int:pk>")
    @has_access
    def show(self, pk):
        return self.render_template("ledger/document.html", document=self._find(pk), title=_("Document"))

    @expose("/<int:pk>/status")
    @has_access
    def status(self, pk):
        """What the progress bar polls."""
        document = self._find(pk)
        return jsonify(state=document.state, state_label=document.state_label, progress=document.progress,
                       url=url_for("DocumentView.download", pk=pk) if document.state == "done" else None,
                       error=_("Rendering failed; please try again or tell the administrator")
                       if document.state == "failed" else None)

    @expose("/<int:pk>/file")
    @has_access
    def download(self, pk):
        return file_response(*or_404(documents.document_file, pk, g.user))

    @expose("/case-file/<int:report_id>", methods=["POST"])
    @has_access
    def case_file(self, report_id):
        document = or_404(documents.request_case_file, g.user, report_id)
        return redirect(url_for("DocumentView.show", pk=document.id))

    @expose("/case-list", methods=["POST"])
    @has_access
    def case_list(self):
        document = documents.request_case_list(g.user, request.form.get("query", ""))
        return redirect(url_for("DocumentView.show", pk=document.id))

    def _find(self, pk) -> Document:
        return or_404(documents.find_document, pk, g.user)
