"""Paged look-ups: a select that asks the server for 20 matching units at a time, never the whole table.

`LookupField` is the form field; `LookupView` answers its requests within the caller's scope.
"""
from flask import jsonify, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import Field

from app.extensions import db
from app.models import KINDS, Organization
from app.security.permissions import READ
from app.security.scope import scoped

PAGE_SIZE = 20


def units(kind: str, ids=None, text: str = ""):
    """The user's units of `kind`, optionally by id or by a piece of the name."""
    query = db.session.query(Organization).filter(Organization.kind == kind, Organization.active.is_(True))
    if ids is not None:
        query = query.filter(Organization.id.in_(ids))
    if text:
        query = query.filter(Organization.name.contains(text, autoescape=True))
    return scoped(query, Organization)


class LookupView(BaseView):
    route_base = "/lookup"
    class_permission_name = "Organization"
    method_permission_name = {"organization": READ}

    @expose("/organization")
    @has_access
    def organization(self):
        """Select2's format: {"results": [{"id", "text"}], "pagination": {"more"}}."""
        kind = request.args.get("kind", "")
        if kind not in KINDS:
            return jsonify(results=[], pagination={"more": False})
        page = max(request.args.get("page", 1, type=int) or 1, 1)
        rows = (units(kind, text=request.args.get("q", "").strip()).order_by(Organization.name, Organization.id)
                .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1).all())
        return jsonify(results=[{"id": unit.id, "text": unit.name} for unit in rows[:PAGE_SIZE]],
                       pagination={"more": len(rows) > PAGE_SIZE})


class LookupWidget:
    """A <select> holding only the chosen unit; lookup.js fetches the others page by page."""

    def __call__(self, field, **kwargs):
        chosen = field.data
        option = Markup('<option value="{}" selected>{}</option>').format(chosen.id, chosen.name) if chosen else ""
        return Markup('<select class="form-control lookup" id="{}" name="{}" data-url="{}">{}</select>').format(
            field.id, field.name, url_for("LookupView.organization", kind=field.kind), option)


class LookupField(Field):
    """A unit of one kind within the user's scope, chosen by id; an unknown id is a field error."""

    widget = LookupWidget()

    def __init__(self, label=None, validators=None, kind: str = "village", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.kind = kind

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0]:
            try:
                unit_id = int(valuelist[0])
            except ValueError:
                unit_id = None
            self.data = units(self.kind, ids=[unit_id]).one_or_none() if unit_id else None
            if self.data is None:
                raise ValueError(_l("Choose one of the listed units"))
