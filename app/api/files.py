"""Sending generated files (forms, ledgers, exports): downloads only, never cached, never sniffed."""
import io
import mimetypes

from flask import send_file

MIME = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def file_response(data_or_path, filename: str):
    """A download of `data_or_path` (bytes, or a stored file's path) saved as `filename` (Chinese allowed)."""
    source = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    extension = filename.rsplit(".", 1)[-1]
    mimetype = MIME.get(extension) or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = send_file(source, mimetype=mimetype, as_attachment=True, download_name=filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
