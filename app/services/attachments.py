"""Photos and PDFs of a case: checked by content, images re-encoded, stored under server-made names.

Files live in `ATTACHMENT_FOLDER` (under instance/, never under a static folder) and are served
only after the caller's scope on the case has been checked.
"""
import io
import os
import uuid
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

from app.extensions import db
from app.models import Attachment, Report
from app.services.errors import Forbidden, Invalid
from app.services.workflow import may_edit

IMAGE_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}
PDF = ("application/pdf", ".pdf")
ONLY_PHOTOS_AND_PDF = _l("Only JPEG or PNG photos and PDF files can be attached")
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is plenty; more is a decompression bomb


def folder() -> Path:
    path = Path(current_app.config["ATTACHMENT_FOLDER"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def may_attach(report: Report, user) -> bool:
    """The filer adds to its draft; afterwards the unit whose turn it is adds evidence."""
    org = getattr(user, "organization", None)
    if may_edit(report, user):
        return True
    return org is not None and report.state not in ("closed", "rejected") and report.handling_unit_id == org.id


def _clean(data: bytes) -> tuple[bytes, str, str]:
    """The bytes to store, their content type and extension; Invalid unless a JPEG, PNG or PDF."""
    if data.startswith(b"%PDF-"):
        return data, *PDF
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in IMAGE_FORMATS or image.width * image.height > MAX_PIXELS:
                raise Invalid({"file": [str(ONLY_PHOTOS_AND_PDF)]})
            image.load()
            content_type, extension = IMAGE_FORMATS[image.format]
            # Re-encoding drops whatever rode along (metadata, trailing data, scripts in comments).
            clean = image.convert("RGB") if image.format == "JPEG" else image.copy()
            out = io.BytesIO()
            clean.save(out, format=image.format, **({"quality": 88} if image.format == "JPEG" else {}))
            return out.getvalue(), content_type, extension
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise Invalid({"file": [str(ONLY_PHOTOS_AND_PDF)]}) from None


def add_attachment(report: Report, user, upload) -> Attachment:
    """Store one uploaded file (a werkzeug FileStorage, None when none was sent) for `report`; commits.

    Refuses other units, missing files, wrong types and big files.
    """
    if not may_attach(report, user):
        raise Forbidden(_("You may not add files to this case now"))
    if upload is None:
        raise Invalid({"file": [_("Choose a file")]})
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    data = upload.stream.read(limit + 1)
    if not data:
        raise Invalid({"file": [_("Choose a file")]})
    if len(data) > limit:
        raise Invalid({"file": [_("A file may be at most %(mb)d MB", mb=limit // (1024 * 1024))]})
    data, content_type, extension = _clean(data)
    stored_name = uuid.uuid4().hex + extension
    target = folder() / stored_name
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    os.replace(partial, target)
    display_name = os.path.basename((upload.filename or "").replace("\\", "/"))[:200] or stored_name
    attachment = Attachment(report=report, stored_name=stored_name, filename=display_name,
                            content_type=content_type, size=len(data), uploaded_by_id=user.id)
    db.session.add(attachment)
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        target.unlink(missing_ok=True)
        raise
    return attachment


def path_of(attachment: Attachment) -> Path:
    return folder() / attachment.stored_name
