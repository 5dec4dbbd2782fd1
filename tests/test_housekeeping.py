"""The nightly clean-up: old rendered documents and the files of deleted drafts go; nothing else does."""
import io
import os
import time
from datetime import timedelta

from PIL import Image

from app import clock
from app.extensions import db
from app.jobs import housekeeping
from app.jobs.documents import path_of, render_document
from app.models import Attachment, Document
from app.services.attachments import folder
from tests.conftest import org_id
from tests.workflow_helpers import TODAY, Api


def photo() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(data, "JPEG")
    data.seek(0)
    return data


def test_files_of_deleted_drafts_are_removed_a_day_later(app, client, auth):
    api = Api(client, auth)
    kept, dropped = api.create(app), api.create(app)
    for rid in (kept, dropped):
        response = api("grid_a", "POST", "/attachment/", None, data={"report_id": str(rid), "file": (photo(), "现场.jpg")},
                       content_type="multipart/form-data")
        assert response.status_code == 201, response.get_data(as_text=True)
    with app.app_context():
        names = dict(db.session.query(Attachment.report_id, Attachment.stored_name).all())
    assert api("grid_a", "DELETE", f"/report/{dropped}").status_code == 200
    with app.app_context():
        files = {name: folder() / name for name in names.values()}
        assert all(path.exists() for path in files.values())
        assert housekeeping.remove_orphan_attachments() == 0  # too fresh: it may be an upload in progress
        a_day_ago = time.time() - housekeeping.GRACE_SECONDS - 60
        for path in files.values():
            os.utime(path, (a_day_ago, a_day_ago))
        assert housekeeping.remove_orphan_attachments() == 1
        assert files[names[kept]].exists() and not files[names[dropped]].exists()


def test_documents_older_than_the_keep_period_are_removed(app, client, auth):
    api = Api(client, auth)
    api.submitted(app)
    auth.login("township")
    for _ in range(2):
        client.post("/ledger/township/export", data={"unit": org_id(app, "沙沟镇"), "start": TODAY().isoformat(),
                                                      "end": TODAY().isoformat(), "format": "xlsx"})
    with app.app_context():
        old, new = db.session.query(Document).order_by(Document.id).all()
        for document in (old, new):
            render_document(document.id)
        old_path, new_path = path_of(old), path_of(new)
        old.requested_at = clock.now() - timedelta(days=app.config["DOCUMENT_KEEP_DAYS"] + 1)
        db.session.commit()
        assert housekeeping.remove_old_documents() == 1
        assert [d.id for d in db.session.query(Document)] == [new.id]
    assert not old_path.exists() and new_path.exists()
