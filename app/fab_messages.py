"""Flask-AppBuilder strings its own Chinese catalogue lacks; listed so that ours translates them.

Nothing imports this for behaviour: `make extract-messages` reads it, and
tests/test_i18n.py checks that every FAB string shown to users has a Chinese translation.
"""
from flask_babel import lazy_gettext as _l

FAB_MESSAGES = (
    _l("Add"), _l("Edit"), _l("Show"), _l("Delete"),
    _l("Are you sure you want to delete this item?"),
    _l("Database Error"), _l("Not a valid choice"), _l("Start with"), _l("Contains (insensitive)"),
    _l("In"), _l("Not In"),
    _l("Must have at least two capital letters, one special character, two digits, "
       "three lower case letters and a minimal length of 10."),
    _l("Either select a role or a group"), _l("List Groups"), _l("Groups"), _l("Show Group"),
    _l("Add Group"), _l("Edit Group"), _l("Edit User Information"), _l("User information changed"),
    _l("The user's password for authentication"), _l("User(s) exists in the role, cannot delete"),
    _l("User(s) exists in the group, cannot delete"),
    _l("It's not a good policy to remove a user, just make it inactive"),
    _l("OpenID"), _l("Enter your OpenID Username"), _l("Sign In with "),
)
