"""Rendering documents in RQ jobs (DESIGN §5): progress is kept in the document's row, which the
page polls; the file is written under a random name, then the row says it is ready.

A job claims its row in one UPDATE, so two jobs never render the same document; a claim older
than twice the job timeout means the worker died, and the relay hands the document out again.
"""
import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, or_, update

from app import clock
from app.extensions import db
from app.jobs import enqueue_once
from app.models import Document

log = logging.getLogger(__name__)
DOCUMENT_TIMEOUT = 1800  # seconds: a 10,000-row ledger PDF takes about a minute; leave room


def enqueue_render(document_id: int) -> None:
    """Hand a document to the queue; without Redis it waits for the relay (or a synchronous caller)."""
    try:
        enqueue_once(render_document, document_id, job_id=f"document-{document_id}", queue="documents",
                     timeout=DOCUMENT_TIMEOUT)
    except Exception as exc:  # Redis down: the queued row is picked up by the relay
        log.warning("document %s waits for the relay: %s", document_id, exc)


def render_document(document_id: int) -> str:
    """Render one document unless it is done or being rendered; returns its new state."""
    if not _claim(document_id):
        return "skipped"
    document = db.session.get(Document, document_id)
    try:
        from app.documents.builders import build

        filename, data = build(document, progress=lambda done, total: _progress(document, done, total))
        stored = f"{secrets.token_hex(16)}.{document.format}"
        _write(stored, data)
    except Exception as exc:
        db.session.rollback()
        _failed(document_id, exc)
        raise
    document.filename, document.stored_name, document.size = filename, stored, len(data)
    document.state, document.progress, document.finished_at = "done", 100, clock.now()
    db.session.commit()
    return "done"


def _claim(document_id: int) -> bool:
    now = clock.now()
    stale = now - timedelta(seconds=2 * DOCUMENT_TIMEOUT)
    result = db.session.execute(
        update(Document)
        .where(Document.id == document_id,
               or_(Document.state == "queued", and_(Document.state == "running", Document.started_at < stale)))
        .values(state="running", started_at=now, progress=0)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def _progress(document: Document, done: int, total: int) -> None:
    document.progress = min(99, int(done * 100 / total)) if total else 99
    db.session.commit()


def _failed(document_id: int, exc: Exception) -> None:
    document = db.session.get(Document, document_id)
    document.state, document.error, document.finished_at = "failed", f"{type(exc).__name__}: {exc}"[:1000], clock.now()
    db.session.commit()
    log.exception("document %s failed", document_id)


def folder() -> Path:
    path = Path(current_app.config["DOCUMENT_FOLDER"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(document: Document) -> Path:
    return folder() / document.stored_name


def _write(name: str, data: bytes) -> None:
    """Write the whole file, then move it into place: a reader never sees half a document."""
    target = folder() / name
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    os.replace(partial, target)


def relay() -> int:
    """Hand out documents still queued (Redis was down) or held by a job that died."""
    now = clock.now()
    rows = (db.session.query(Document.id)
            .filter(or_(and_(Document.state == "queued", Document.requested_at < now - timedelta(seconds=30)),
                        and_(Document.state == "running",
                             Document.started_at < now - timedelta(seconds=2 * DOCUMENT_TIMEOUT))))
            .order_by(Document.id).limit(100).all())
    db.session.rollback()
    for (document_id,) in rows:
        enqueue_render(document_id)
    return len(rows)
