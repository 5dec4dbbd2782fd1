"""Permissions collapsed to a read/write pair per resource, shared by views and APIs."""

READ = "read"
WRITE = "write"

# ModelView methods → permission
VIEW_METHODS = {
    "list": READ, "show": READ, "download": READ, "api_read": READ, "api": READ,
    "api_get": READ, "api_column_add": READ, "api_column_edit": READ, "api_readvalues": READ,
    "add": WRITE, "edit": WRITE, "delete": WRITE, "action": WRITE, "action_post": WRITE,
    "api_create": WRITE, "api_update": WRITE, "api_delete": WRITE,
}

# ModelRestApi methods → permission
API_METHODS = {
    "get_list": READ, "get": READ, "info": READ, "related": READ, "distinct": READ,
    "post": WRITE, "put": WRITE, "delete": WRITE,
}
