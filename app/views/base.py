"""What every CRUD view of the app shares."""
from flask import abort
from flask_appbuilder import ModelView

from app.security.permissions import VIEW_METHODS
from app.services.errors import Refused


def or_404(find, *args):
    """`find(*args)`, or the page's 404 when the service refuses: what the caller may not see does not exist."""
    try:
        return find(*args)
    except Refused:
        abort(404)


class AppModelView(ModelView):
    """A FAB ModelView with collapsed read/write permissions, without FAB's file and action doors.

    FAB's `/download/<filename>` serves any file of its upload folder to anyone with read on any
    view; this app stores files only as case attachments, served after a scope check. FAB's
    `/action/…` and `/action_post` fetch rows without the row scope (and fail with a 500 on an
    unknown action); no view here declares actions, so the doors are not opened at all.
    The overrides below are not exposed, so FAB registers no route for them.
    """

    method_permission_name = VIEW_METHODS

    def download(self, filename):
        raise NotImplementedError

    def action(self, name, pk):
        raise NotImplementedError

    def action_post(self):
        raise NotImplementedError
