"""The landing page after login: who you are, where you belong, where to start."""
from flask_appbuilder import IndexView


class HomeView(IndexView):
    index_template = "index.html"
