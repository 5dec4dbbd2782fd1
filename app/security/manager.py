"""Our FAB security manager: the user model with its organisation, and role synchronisation."""
from flask_appbuilder.fields import QuerySelectMultipleField
from flask_appbuilder.fieldwidgets import Select2ManyWidget
from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager
from flask_appbuilder.security.sqla.models import Role
from flask_appbuilder.security.views import UserDBModelView
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired

from app.extensions import db
from app.i18n import human, yes_no
from app.models import OrgUser
from app.views.lookup import LookupField
from app.security.permissions import WRITE
from app.security.roles import ROLE_LABELS, ROLES, SELF_SERVICE, WRITE_MENUS, grants, role_labels


def roles_field() -> QuerySelectMultipleField:
    """Role choices under the names people read (网格员 …), not the permission keys."""
    return QuerySelectMultipleField(
        _l("Role"), query_func=lambda: db.session.query(Role).order_by(Role.id),
        get_pk_func=lambda role: role.id, get_label=lambda role: str(ROLE_LABELS.get(role.name, role.name)),
        widget=Select2ManyWidget(), validators=[DataRequired(message=_l("Choose at least one role"))])


class UserView(UserDBModelView):
    """Users as FAB shows them, plus the organisation each one belongs to."""

    list_columns = ["username", "first_name", "last_name", "organization", "roles", "active"]
    search_columns = ["username", "first_name", "last_name", "email", "organization", "roles", "active"]
    add_columns = ["username", "first_name", "last_name", "email", "organization", "roles", "active",
                   "password", "conf_password"]
    edit_columns = ["username", "first_name", "last_name", "email", "organization", "roles", "active"]
    show_fieldsets = [
        (_l("User info"), {"fields": ["username", "organization", "roles", "active", "login_count"]}),
        (_l("Personal Info"), {"fields": ["first_name", "last_name", "email"], "expanded": True}),
        (_l("Audit Info"), {"fields": ["last_login", "fail_login_count", "created_on", "changed_on"],
                             "expanded": False}),
    ]
    user_show_fieldsets = [
        (_l("User info"), {"fields": ["username", "organization", "roles"]}),
        (_l("Personal Info"), {"fields": ["first_name", "last_name", "email"], "expanded": True}),
    ]
    label_columns = {**UserDBModelView.label_columns, "organization": _l("Organization")}
    formatters_columns = {"roles": role_labels, "active": yes_no, "last_login": human, "created_on": human,
                          "changed_on": human}
    description_columns = {**UserDBModelView.description_columns,
                           "username": _l("The name used to sign in"),
                           "organization": _l("Everything the user sees is bounded by this unit")}
    add_form_extra_fields = {**UserDBModelView.add_form_extra_fields, "roles": roles_field(),
                             "organization": LookupField(_l("Organization"))}
    edit_form_extra_fields = {"roles": roles_field(), "organization": LookupField(_l("Organization"))}
    search_form_extra_fields = {"organization": LookupField(_l("Organization"))}


class SecurityManager(FabSecurityManager):
    user_model = OrgUser
    userdbmodelview = UserView

    def register_views(self) -> None:
        super().register_views()
        # FAB limits only the HTML login; the API login (JWT) gets the same limit.
        if self.is_auth_limited:
            api = next(v for v in self.appbuilder.baseviews if isinstance(v, self.security_api))
            self.limiter.limit(self.auth_rate_limit, methods=["POST"])(api.blueprint)

    def sync_roles(self) -> dict[str, int]:
        """Make the roles and permissions in the database match `ROLES`; returns grants per role."""
        admin = self.add_role(self.auth_role_admin)  # before the permissions: FAB grants them to Admin
        self.appbuilder.add_permissions(update_perms=True)
        menu_names = self._menu_names_by_resource()
        counts = {}
        admin.permissions = self.get_all_permissions_views_query()
        counts[admin.name] = len(admin.permissions)
        self.add_role(self.auth_role_public)

        for name, resources in ROLES.items():
            role = self.add_role(name)
            wanted = grants(resources) | set(SELF_SERVICE)
            for resource, level in resources.items():
                menus = menu_names.get(resource, set()) - (set() if level == WRITE else WRITE_MENUS)
                wanted |= {("menu_access", menu) for menu in menus}
            role.permissions = [self.add_permission_view_menu(perm, view) for perm, view in sorted(wanted)]
            counts[name] = len(role.permissions)
        self.session.commit()
        return counts

    def get_all_permissions_views_query(self):
        return self.session.query(self.permissionview_model).all()

    def _menu_names_by_resource(self) -> dict[str, set[str]]:
        """Menu entries (and their categories) keyed by the resource of the view they open."""
        names: dict[str, set[str]] = {}
        for top in self.appbuilder.menu.get_list():
            for item in top.childs or [top]:
                view = getattr(item, "baseview", None)
                if view is None or not item.name:
                    continue
                entry = names.setdefault(view.class_permission_name, set())
                entry.add(item.name)
                if top is not item:
                    entry.add(top.name)
        return names
