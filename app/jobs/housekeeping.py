"""Housekeeping jobs: files nobody can reach any more are removed (old documents, files of deleted drafts)."""
import logging
import time
from datetime import timedelta

from flask import current_app

from app import clock
from app.extensions import db
from app.jobs.documents import folder as document_folder
from app.models import Attachment, Document
from app.services.attachments import folder as attachment_folder

log = logging.getLogger(__name__)
GRACE_SECONDS = 24 * 3600  # a file younger than this may belong to an upload still being saved


def remove_old_documents() -> int:
    """Rendered documents older than DOCUMENT_KEEP_DAYS go (row and file): they can be made again."""
    cutoff = clock.now() - timedelta(days=current_app.config["DOCUMENT_KEEP_DAYS"])
    old = db.session.query(Document).filter(Document.requested_at < cutoff).all()
    for document in old:
        if document.stored_name:
            (document_folder() / document.stored_name).unlink(missing_ok=True)
        db.session.delete(document)
    db.session.commit()
    return len(old)


def remove_orphan_attachments() -> int:
    """Files in ATTACHMENT_FOLDER that no attachment row names (a deleted draft's photos), a day on."""
    known = {name for (name,) in db.session.query(Attachment.stored_name)}
    db.session.rollback()
    removed = 0
    for path in attachment_folder().iterdir():
        if path.is_file() and path.name not in known and time.time() - path.stat().st_mtime > GRACE_SECONDS:
            path.unlink(missing_ok=True)
            removed += 1
    if removed:
        log.info("removed %d attachment file(s) no case refers to", removed)
    return removed
