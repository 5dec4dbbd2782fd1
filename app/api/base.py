"""What every resource shares: the row scope, read/write permissions and errors in Chinese."""
from flask_appbuilder import ModelRestApi
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.security.permissions import API_METHODS
from app.services.errors import Invalid, Refused
from app.security.scope import SCOPE


CONFLICT = _l("The record conflicts with an existing one (for example a duplicate code)")


class ScopedApi(ModelRestApi):
    base_filters = [SCOPE]
    method_permission_name = API_METHODS
    allow_browser_login = True

    def validate(self, item) -> None:
        """Check `item` before it is saved; raise `Invalid` to refuse it."""

    def pre_add(self, item):
        self.validate(item)

    def pre_update(self, item):
        self.validate(item)

    def post_headless(self):
        return self._saving(super().post_headless)

    def put_headless(self, pk):
        return self._saving(lambda: super(ScopedApi, self).put_headless(pk))

    def delete_headless(self, pk):
        return self._saving(lambda: super(ScopedApi, self).delete_headless(pk))

    def _saving(self, save):
        try:
            response = save()
        except Invalid as invalid:
            db.session.rollback()
            return self.response_422(message=invalid.errors)
        except Refused as refused:
            db.session.rollback()
            return self.response(refused.status, message=refused.message)
        except SQLAlchemyError:
            db.session.rollback()
            return self.response_422(message=CONFLICT)
        if response.status_code == 422 and "Database exception" in response.get_data(as_text=True):
            # FAB puts the failing SQL and its parameters in the message: never show them.
            return self.response_422(message=CONFLICT)
        return response
