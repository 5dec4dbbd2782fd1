"""What every CRUD view of the app shares."""
from flask_appbuilder import ModelView

from app.security.permissions import VIEW_METHODS


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
