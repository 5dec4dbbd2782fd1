"""REST resource `notification`: the caller's unit's inbox, read-only, plus marking as read."""
from flask import g, request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _

from app.api.base import ScopedApi, is_id
from app.models import Notification
from app.security.permissions import READ
from app.security.scope import SCOPE, acting_user
from app.services import notifications


class OwnUnitFilter(BaseFilter):
    """The caller's own unit's notifications: an inbox, for administrators too (the outbox shows all)."""

    name = "own unit"
    arg_name = "own_unit"

    def apply(self, query, value):
        return query.filter(notifications.own_unit(acting_user()))


class NotificationApi(ScopedApi):
    resource_name = "notification"
    base_filters = [SCOPE, ["organization_id", OwnUnitFilter, None]]
    datamodel = SQLAInterface(Notification)
    class_permission_name = "Notification"
    method_permission_name = {**ScopedApi.method_permission_name, "unread": READ, "mark_read": READ}
    include_route_methods = {"get", "get_list", "info", "unread", "mark_read"}
    list_columns = show_columns = ["id", "kind", "kind_label", "subject", "comment", "report_id", "report.number",
                                   "organization.id", "organization.name", "created_at"]
    search_columns = ["kind", "report", "created_at"]
    order_columns = ["id", "created_at"]
    base_order = ("id", "desc")

    @expose("/unread", methods=["GET"])
    @protect()
    @safe
    def unread(self):
        """The ids of the caller's unread notifications, newest first, and how many there are."""
        ids = [n.id for n in notifications.unread(g.user).limit(100)]
        return self.response(200, count=notifications.unread(g.user).count(), ids=ids)

    @expose("/read", methods=["POST"])
    @protect()
    @safe
    def mark_read(self):
        """Mark notifications as read: {"ids": [...]} or {"all": true}; 200 with how many changed."""
        body = request.get_json(silent=True)
        ids = body.get("ids") if isinstance(body, dict) else None
        if isinstance(body, dict) and body.get("all") is True and ids is None:
            return self.response(200, marked=notifications.mark_read(g.user))
        if not (isinstance(ids, list) and all(is_id(i) for i in ids)):
            return self.response_422(message={"ids": [_("Give a list of whole numbers, or \"all\": true")]})
        return self.response(200, marked=notifications.mark_read(g.user, ids))
