"""REST resource `attachment`: a case's photos and PDFs, uploaded as multipart, read through scope."""
from flask import g, request, send_file
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _

from app.api.base import ScopedApi
from app.models import Attachment
from app.security.permissions import READ
from app.services import attachments, workflow


class AttachmentApi(ScopedApi):
    resource_name = "attachment"
    datamodel = SQLAInterface(Attachment)
    class_permission_name = "Report"
    method_permission_name = {**ScopedApi.method_permission_name, "file": READ, "upload": READ}
    include_route_methods = {"get", "get_list", "info", "upload", "file"}
    list_columns = show_columns = ["id", "report_id", "filename", "content_type", "size", "uploaded_by.username",
                                   "uploaded_at"]
    search_columns = ["report", "content_type"]
    order_columns = ["id", "uploaded_at"]
    base_order = ("id", "asc")

    @expose("/", methods=["POST"])
    @protect()
    @safe
    def upload(self):
        """Attach a file to a case: multipart form with `report_id` and `file`; 201 with the record."""
        try:
            report_id = int(request.form.get("report_id", ""))
        except ValueError:
            return self.response_422(message={"report_id": [_("Enter a whole number")]})
        return self._saving(lambda: self._stored(
            attachments.add_attachment(workflow.find_report(report_id, g.user), g.user, request.files.get("file"))))

    def _stored(self, attachment):
        return self.response(201, id=attachment.id, result=self.show_model_schema.dump(attachment))

    @expose("/<int:pk>/file", methods=["GET"])
    @protect()
    @safe
    def file(self, pk: int):
        """The file itself, if the caller may see its case."""
        attachment = self.datamodel.get(pk, self._base_filters)
        if attachment is None:
            return self.response_404()
        return send_attachment(attachment)


def send_attachment(attachment: Attachment):
    """Send a stored file: photos inline, PDFs as downloads, never sniffed by the browser."""
    response = send_file(attachments.path_of(attachment), mimetype=attachment.content_type,
                         as_attachment=attachment.content_type == "application/pdf",
                         download_name=attachment.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
