"""What every resource shares: the row scope, read/write permissions and errors in Chinese."""
from flask_appbuilder import ModelRestApi
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.security.permissions import API_METHODS
from app.services.errors import Invalid, Refused
from app.security.scope import SCOPE


CONFLICT = _l("The record conflicts with an existing one (for example a duplicate code)")

# marshmallow's own messages (FAB checks bodies with it before our code runs), as people read them.
SCHEMA_MESSAGES = {
    "Missing data for required field.": _l("This field is required"),
    "Field may not be null.": _l("This field is required"),
    "Not a valid string.": _l("Enter text"),
    "Not a valid integer.": _l("Enter a whole number"),
    "Not a valid number.": _l("Enter a number"),
    "Not a valid boolean.": _l("Enter true or false"),
    "Not a valid date.": _l("Enter a date as YYYY-MM-DD"),
    "Not a valid datetime.": _l("Enter a date and time as YYYY-MM-DDTHH:MM:SS"),
    "Not a valid email address.": _l("Enter a valid e-mail address"),
    "Unknown field.": _l("Unknown field"),
    "Invalid input type.": _l("The request body must be a JSON object"),
}


def is_id(value) -> bool:
    """A whole number that can be a row id (bool is not; nor is a number no database column holds)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def in_chinese(messages):
    """marshmallow's messages in {field: [message]} (possibly nested), translated where known."""
    if isinstance(messages, dict):
        return {key: in_chinese(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [in_chinese(message) for message in messages]
    if isinstance(messages, str) and messages in SCHEMA_MESSAGES:
        return str(SCHEMA_MESSAGES[messages])
    return messages


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
        """Run `save` (FAB's or a workflow step) and answer refusals and bad input as the contract says."""
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
        if response.status_code in (400, 422):
            if "Database exception" in response.get_data(as_text=True):
                # FAB puts the failing SQL and its parameters in the message: never show them.
                return self.response_422(message=CONFLICT)
            body = response.get_json(silent=True) or {}
            if "message" in body:
                return self.response(response.status_code, message=in_chinese(body["message"]))
        return response
