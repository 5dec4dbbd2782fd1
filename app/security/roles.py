"""The roles of DESIGN §1 as data; `flask sync-roles` makes the database match them.

Each role maps a resource (a view's or API's `class_permission_name`) to "read" or
"write"; write implies read. On "Report", write means filing and editing drafts: workflow
actions need only read, because the workflow service checks role, unit and state itself. Menu entries follow: a role sees the menu entries of the
resources it may read. Admin gets every permission there is.
"""
from flask_babel import lazy_gettext as _l

from app.security.permissions import READ, WRITE

# What every signed-in user may do with their own account.
SELF_SERVICE = [
    ("can_userinfo", "UserDBModelView"),
    ("resetmypassword", "UserDBModelView"),
    ("can_this_form_get", "ResetMyPasswordView"),
    ("can_this_form_post", "ResetMyPasswordView"),
    ("userinfoedit", "UserDBModelView"),
    ("can_this_form_get", "UserInfoEditView"),
    ("can_this_form_post", "UserInfoEditView"),
]

_READ_REFERENCE = {"Organization": READ, "Category": READ, "Notification": READ}  # and their own messages

_VILLAGE_LEDGERS = {"VillageLedger": READ, "Document": READ}
_ALL_LEDGERS = {**_VILLAGE_LEDGERS, "TownshipLedger": READ}

ROLES: dict[str, dict[str, str]] = {
    "GridWorker": {**_READ_REFERENCE, **_VILLAGE_LEDGERS, "Report": WRITE},  # 网格员
    "VillageHead": {**_READ_REFERENCE, **_VILLAGE_LEDGERS, "Report": WRITE},  # 村居负责人
    "TownshipOffice": {**_READ_REFERENCE, **_ALL_LEDGERS, "RoutingRule": READ, "Report": WRITE},  # 乡镇安委办
    "Handler": {**_READ_REFERENCE, "Document": READ, "Report": READ},  # 专委会/管理区/站所
    "CountyOffice": {**_READ_REFERENCE, **_ALL_LEDGERS, "RoutingRule": READ, "Report": WRITE},  # 县安委办
    "Department": {**_READ_REFERENCE, "Document": READ, "Report": READ},  # 部门
    "Leader": {**_READ_REFERENCE, **_ALL_LEDGERS, "RoutingRule": READ, "Report": READ},  # 领导 (read-only)
}

# Menu entries that lead to a form: shown only to roles that may write their resource.
WRITE_MENUS = {"New report"}

# Role names as people read them (the FAB role names above are permission keys).
ROLE_LABELS = {
    "Admin": _l("Administrator"),
    "Public": _l("Public"),
    "GridWorker": _l("Grid worker"),
    "VillageHead": _l("Village head"),
    "TownshipOffice": _l("Township safety office"),
    "Handler": _l("Committee, district or station"),
    "CountyOffice": _l("County safety office"),
    "Department": _l("Department"),
    "Leader": _l("Leader"),
}


def role_labels(roles) -> str:
    return ", ".join(str(ROLE_LABELS.get(role.name, role.name)) for role in roles)


def grants(resources: dict[str, str]) -> set[tuple[str, str]]:
    """(permission, resource) pairs for a role's resource map; write brings read."""
    pairs = set()
    for resource, level in resources.items():
        pairs.add((f"can_{READ}", resource))
        if level == WRITE:
            pairs.add((f"can_{WRITE}", resource))
    return pairs
