"""The row scope: every query a user makes is bounded by their organisation (DESIGN §1).

One filter, `ScopeFilter`, serves every door: HTML views and REST APIs put it in
`base_filters` and related-field queries, services and exports call `scoped()`.
A model takes part by defining `in_scope(root)`, the SQL condition "this row belongs
to the subtree of `root`"; that classmethod is the one place to extend for new models. A model
whose rows can also belong to one person adds `owned_by(user)`.
"""
from flask import g
from flask_appbuilder.models.filters import BaseFilter
from flask_login import current_user
from sqlalchemy import false, or_, true


def acting_user():
    """The signed-in user of this request (HTML session or JWT), or None."""
    user = getattr(g, "user", None) or current_user
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def is_admin(user) -> bool:
    from flask import current_app

    return user is not None and current_app.config["AUTH_ROLE_ADMIN"] in user.role_names


def scope_condition(model, user):
    """SQL condition: rows of `model` that `user` may see. Admins see all; no organisation sees nothing."""
    if is_admin(user):
        return true()
    org = getattr(user, "organization", None)
    if org is None or not org.active:
        return false()
    owned = getattr(model, "owned_by", None)  # rows that belong to a person, not to a unit
    return model.in_scope(org) if owned is None else or_(model.in_scope(org), owned(user))


def scoped(query, model, user=None):
    """`query` limited to the rows of `model` the user (default: the acting user) may see."""
    return query.filter(scope_condition(model, user if user is not None else acting_user()))


class ScopeFilter(BaseFilter):
    """FAB filter form of `scoped()`: `["id", ScopeFilter, None]` in base_filters."""

    name = "scope"
    arg_name = "scope"

    def apply(self, query, value):
        return scoped(query, self.model)


SCOPE = ["id", ScopeFilter, None]


def visible(model, row, user=None) -> bool:
    """Whether `row` of `model` lies within the user's scope (default: the acting user)."""
    from app.extensions import db

    if row is None or row.id is None:
        return False
    with db.session.no_autoflush:  # `row` may be the parent of an object still being built
        query = db.session.query(model.id).filter(model.id == row.id)
        return scoped(query, model, user).first() is not None
