"""What every CRUD view of the app shares."""
from flask_appbuilder import ModelView

from app.security.permissions import VIEW_METHODS


class AppModelView(ModelView):
    """A FAB ModelView with collapsed read/write permissions and without FAB's file door.

    FAB's `/download/<filename>` serves any file of its upload folder to anyone with read on any
    view; this app stores files only as case attachments, served after a scope check.
    """

    method_permission_name = VIEW_METHODS

    def download(self, filename):  # not exposed: the route is not registered
        raise NotImplementedError
