"""Paged look-ups: a select that asks the server for 20 matching units at a time, never the whole table.

`LookupField` is the form field (forms and list filters); `LookupView` answers its requests
within the caller's scope; `app/static/js/lookup.js` wires select2 to it.
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


def units(kinds=(), ids=None, text: str = ""):
    """The user's active units of `kinds` (all kinds when empty), optionally by id or by a piece of the name."""
    query = db.session.query(Organization).filter(Organization.active.is_(True))
    if kinds:
        query = query.filter(Organization.kind.in_(kinds))
    if ids is not None:
        query = query.filter(Organization.id.in_(ids))
    if text:
        query = query.filter(Organization.name.contains(text, autoescape=True))
    return scoped(query, Organization)


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


class LookupView(BaseView):
    route_base = "/lookup"
    class_permission_name = "Organization"
    method_permission_name = {"organization": READ}

    @expose("/organization")
    @has_access
    def organization(self):
        """Select2's format: {"results": [{"id", "text"}], "pagination": {"more"}}.

        `kind` (comma-separated, empty for any), `q` (part of the name), `page`; or `ids` for the
        labels of units already chosen.
        """
        kinds = [k for k in request.args.get("kind", "").split(",") if k]
        if any(k not in KINDS for k in kinds):
            return jsonify(results=[], pagination={"more": False})
        if "ids" in request.args:
            rows = units(kinds, ids=_ids(request.args["ids"].split(","))).order_by(Organization.name).all()
            return jsonify(results=[{"id": u.id, "text": u.name} for u in rows], pagination={"more": False})
        page = max(request.args.get("page", 1, type=int) or 1, 1)
        rows = (units(kinds, text=request.args.get("q", "").strip()).order_by(Organization.name, Organization.id)
                .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1).all())
        return jsonify(results=[{"id": unit.id, "text": unit.name} for unit in rows[:PAGE_SIZE]],
                       pagination={"more": len(rows) > PAGE_SIZE})


class LookupWidget:
    """A <select> holding only the chosen units; lookup.js fetches the others page by page."""

    def __call__(self, field, **kwargs):
        chosen = field.data if field.multiple else [field.data]
        options = Markup("").join(Markup('<option value="{}" selected>{}</option>').format(unit.id, unit.name)
                                  for unit in chosen or () if unit is not None)
        return Markup('<select class="form-control lookup" id="{}" name="{}" data-url="{}"{}>{}</select>').format(
            field.id, field.name, url_for("LookupView.organization", kind=",".join(field.kinds)),
            Markup(" multiple") if field.multiple else "", options)


class LookupField(Field):
    """Units of the given kinds within the user's scope, chosen by id; an unknown id is a field error."""

    widget = LookupWidget()

    def __init__(self, label=None, validators=None, kinds=(), multiple: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.kinds = tuple(kinds)
        self.multiple = multiple

    def process_formdata(self, valuelist):
        wanted = [v for v in valuelist if v]
        found = units(self.kinds, ids=_ids(wanted)).all() if wanted else []
        self.data = found if self.multiple else (found[0] if found else None)
        if len(found) != len(set(wanted)):
            raise ValueError(_l("Choose one of the listed units"))

    def _value(self):
        return ""
