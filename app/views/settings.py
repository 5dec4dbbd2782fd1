"""The settings page: one form generated from the setting definitions (low-code)."""
from flask import flash
from flask_appbuilder import SimpleFormView
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp

from app.models import SETTINGS, get_setting, save_settings

EXTRA_VALIDATORS = {
    "case_number_prefix": [Regexp(r"^[A-Z0-9]{1,10}$",
                                  message=_l("Use 1 to 10 capital letters or digits"))],
}


def _field(definition):
    extra = EXTRA_VALIDATORS.get(definition.key, [])
    if isinstance(definition.default, int):
        return IntegerField(definition.label, description=definition.description, widget=BS3TextFieldWidget(),
                            validators=[InputRequired(), NumberRange(min=1, max=365), *extra])
    return StringField(definition.label, description=definition.description, widget=BS3TextFieldWidget(),
                       validators=[DataRequired(), Length(max=100), *extra])


SettingsForm = type("SettingsForm", (DynamicForm,), {s.key: _field(s) for s in SETTINGS})


class SettingsView(SimpleFormView):
    route_base = "/settings"
    form = SettingsForm
    form_title = _l("Settings")
    class_permission_name = "Setting"
    method_permission_name = {"this_form_get": "read", "this_form_post": "write"}

    def form_get(self, form):
        for definition in SETTINGS:
            getattr(form, definition.key).data = get_setting(definition.key)

    def form_post(self, form):
        save_settings({s.key: getattr(form, s.key).data for s in SETTINGS})
        flash(_l("Settings saved"), "success")
