"""The landing page: signed-in users who handle cases land on their work queue (待办)."""
from flask import g, redirect, url_for
from flask_appbuilder import IndexView, expose


class HomeView(IndexView):
    index_template = "index.html"

    @expose("/")
    def index(self):
        user = g.user
        if user is not None and user.is_authenticated and \
                self.appbuilder.sm.has_access("can_read", "Report"):
            return redirect(url_for("InboxView.list"))
        return self.render_template(self.index_template, appbuilder=self.appbuilder)
