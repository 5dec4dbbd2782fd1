"""Permissions collapsed to a read/write pair per resource, shared by views and APIs."""

READ = "read"
WRITE = "write"

# ModelView methods → permission
VIEW_METHODS = {
    "list": READ, "show": READ, "download": READ,
    "add": WRITE, "edit": WRITE, "delete": WRITE, "action": WRITE, "action_post": WRITE,
}

# ModelRestApi methods → permission
API_METHODS = {
    "get_list": READ, "get": READ, "info": READ, "related": READ, "distinct": READ,
    "post": WRITE, "put": WRITE, "delete": WRITE,
}
