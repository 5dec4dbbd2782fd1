"""REST resource `category`: the categories of illegal activity."""
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import ScopedApi
from app.models import Category


class CategoryApi(ScopedApi):
    resource_name = "category"
    datamodel = SQLAInterface(Category)
    class_permission_name = "Category"
    base_filters = []  # categories are the same for everyone
    list_columns = show_columns = ["id", "name", "description", "sort_order", "active"]
    add_columns = edit_columns = ["name", "description", "sort_order", "active"]
    base_order = ("sort_order", "asc")
