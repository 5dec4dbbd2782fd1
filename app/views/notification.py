"""Notifications in the browser: each user's messages (消息) and the administrator's outbox (发件箱)."""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _, lazy_gettext as _l

from app.extensions import db
from app.i18n import human
from app.models import Notification
from app.models.notification import KINDS, STATUSES
from app.security.permissions import READ, WRITE
from app.security.scope import SCOPE
from app.services import notifications
from app.views.base import AppModelView

PAGE_SIZE = 30


def unread_count(user) -> int:
    """The number beside 消息 in the menu, counted once per request."""
    if user is None or not user.is_authenticated:
        return 0
    if "unread_count" not in g:
        g.unread_count = notifications.unread(user).count()
    return g.unread_count


class MessagesView(BaseView):
    """消息: what happened to the cases of the user's unit, newest first; opening one marks it read."""

    route_base = "/messages"
    default_view = "list"
    class_permission_name = "Notification"
    method_permission_name = {"list": READ, "open": READ, "read_all": READ}

    @expose("/")
    @has_access
    def list(self):
        page = max(request.args.get("page", 1, type=int), 1)
        query = notifications.inbox(g.user)
        total = query.count()
        rows = query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).all()
        return self.render_template("notification/messages.html", rows=rows, read=notifications.read_ids(g.user, rows),
                                    page=page, pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), total=total,
                                    title=_("Messages"))

    @expose("/<int:pk>/open", methods=["POST"])
    @has_access
    def open(self, pk):
        """Mark one message read and go to its case (or back to the list for a summary)."""
        found = notifications.inbox(g.user).filter(Notification.id == pk).one_or_none()
        if found is None:
            abort(404)
        notifications.mark_read(g.user, [pk])
        if found.report_id is not None:
            return redirect(url_for("ReportView.show", pk=found.report_id))
        return redirect(url_for("MessagesView.list"))

    @expose("/read", methods=["POST"])
    @has_access
    def read_all(self):
        count = notifications.mark_read(g.user)
        flash(_("%(n)d message(s) marked as read", n=count), "success")
        return redirect(url_for("MessagesView.list"))


class OutboxView(AppModelView):
    """发件箱 (administrators): every notification's e-mail, pending, sent or failed with the error."""

    route_base = "/outbox"
    datamodel = SQLAInterface(Notification)
    class_permission_name = "Outbox"
    method_permission_name = {"list": READ, "show": READ, "resend": WRITE, "resend_failed": WRITE}
    include_route_methods = {"list", "show", "resend", "resend_failed"}
    base_permissions = ["can_read", "can_write"]
    base_filters = [SCOPE]
    list_title = show_title = _l("Outbox")
    list_columns = ["created_at", "kind", "subject", "organization", "status", "attempts", "sent_at"]
    show_columns = ["created_at", "kind", "subject", "organization", "report", "comment", "status", "recipients",
                    "attempts", "retry_at", "sent_at", "message_id", "last_error"]
    search_columns = ["status", "kind", "organization", "created_at"]
    base_order = ("id", "desc")
    label_columns = {
        "created_at": _l("Created"), "kind": _l("Notification type"), "subject": _l("Subject"),
        "organization": _l("Recipient unit"), "report": _l("Case"), "comment": _l("Comment"),
        "status": _l("Status"), "recipients": _l("Addresses"), "attempts": _l("Attempts"),
        "retry_at": _l("Next attempt"), "sent_at": _l("Sent"), "message_id": _l("Message-ID"),
        "last_error": _l("Last error"),
    }
    formatters_columns = {
        "kind": lambda value: KINDS.get(value, value),
        "status": lambda value: STATUSES.get(value, value),
        "created_at": human, "sent_at": human, "retry_at": human,
    }
    list_template = "notification/outbox_list.html"
    show_template = "notification/outbox_show.html"

    @expose("/<int:pk>/resend", methods=["POST"])
    @has_access
    def resend(self, pk):
        """Put one failed or kept e-mail back in the queue."""
        if self.datamodel.get(pk, self._base_filters) is None:
            abort(404)
        if notifications.resend([pk]):
            flash(_("The e-mail is queued again"), "success")
        else:
            flash(_("Only failed or kept e-mails can be sent again"), "warning")
        return redirect(url_for("OutboxView.show", pk=pk))

    @expose("/resend-failed", methods=["POST"])
    @has_access
    def resend_failed(self):
        ids = [nid for (nid,) in db.session.query(Notification.id).filter(Notification.status == "failed")]
        flash(_("%(n)d e-mail(s) queued again", n=notifications.resend(ids)), "success")
        return redirect(url_for("OutboxView.list"))


