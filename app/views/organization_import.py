"""The import page: upload a CSV or Excel file of organisations; all rows or none."""
from flask import current_app, flash, redirect, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired

from app.services.organization_import import ImportFailed, import_organizations, read_rows


class ImportForm(FlaskForm):
    file = FileField(_l("File"), validators=[
        FileRequired(_l("Choose a file to import")),
        FileAllowed(["csv", "xlsx"], _l("Upload a .csv or .xlsx file")),
    ])


class OrganizationImportView(BaseView):
    route_base = "/organization/import"
    default_view = "upload"
    class_permission_name = "Organization"
    method_permission_name = {"upload": "write"}

    @expose("/", methods=["GET", "POST"])
    @has_access
    def upload(self):
        form = ImportForm()
        errors = []
        if form.validate_on_submit():
            upload = form.file.data
            try:
                result = import_organizations(read_rows(upload.filename, upload.read()),
                                              max_rows=current_app.config["UPLOAD_MAX_ROWS"])
            except ImportFailed as failed:
                errors = failed.errors
            else:
                flash(_l("Imported: %(created)d new, %(updated)d updated",
                         created=result.created, updated=result.updated), "success")
                return redirect(url_for(".upload"))
        return self.render_template("organization_import.html", form=form, errors=errors,
                                    title=_l("Import organisations"))
