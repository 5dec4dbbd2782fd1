"""Case files: only photos and PDFs, size-limited, images re-encoded, stored under server-made names."""
import io
import os

import pytest
from PIL import Image

from app.extensions import db
from app.models import Attachment
from tests.workflow_helpers import Api


@pytest.fixture
def api(client, auth):
    return Api(client, auth)


def upload(api, report_id, data: bytes, filename: str, user="grid_a"):
    return api(user, "POST", "/attachment/", None,
               data={"report_id": str(report_id), "file": (io.BytesIO(data), filename)},
               content_type="multipart/form-data")


def png_bytes(size=(60, 40), trailer=b"") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, format="PNG")
    return out.getvalue() + trailer


def files_in(folder) -> list[str]:
    return os.listdir(folder) if os.path.isdir(folder) else []


def stored(app):
    with app.app_context():
        return [(a.filename, a.stored_name, a.content_type) for a in db.session.query(Attachment)]


def test_a_photo_is_re_encoded_and_stored_under_a_server_name(app, api):
    rid = api.create(app)
    response = upload(api, rid, png_bytes(trailer=b"<script>alert(1)</script>"), "../../etc/现场.png")
    assert response.status_code == 201, response.get_data(as_text=True)
    [(filename, stored_name, content_type)] = stored(app)
    assert filename == "现场.png" and content_type == "image/png"
    assert "/" not in stored_name and stored_name.endswith(".png") and "现场" not in stored_name
    folder = app.config["ATTACHMENT_FOLDER"]
    assert files_in(folder) == [stored_name]
    with open(os.path.join(folder, stored_name), "rb") as file:
        kept = file.read()
    assert b"<script>" not in kept and Image.open(io.BytesIO(kept)).size == (60, 40)
    with api("grid_a", "GET", f"/attachment/{response.json['id']}/file") as served:
        assert served.status_code == 200 and served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.data == kept


@pytest.mark.parametrize("data, filename", [
    (b"<html><script>alert(1)</script></html>", "photo.png"),
    (b"MZ\x90\x00 not an image", "report.pdf.exe"),
    (b"GIF89a" + b"\x00" * 20, "anim.gif"),
])
def test_other_files_are_refused_in_chinese_and_nothing_is_stored(app, api, data, filename):
    rid = api.create(app)
    response = upload(api, rid, data, filename)
    assert response.status_code == 422
    assert "只能上传 JPEG、PNG 照片或 PDF 文件" in response.json["message"]["file"]
    assert stored(app) == [] and files_in(app.config["ATTACHMENT_FOLDER"]) == []


def test_a_pdf_is_accepted_and_served_as_a_download(app, api):
    rid = api.create(app)
    response = upload(api, rid, b"%PDF-1.4\n%%EOF\n", "整改通知.pdf")
    assert response.status_code == 201
    with api("grid_a", "GET", f"/attachment/{response.json['id']}/file") as served:
        assert served.mimetype == "application/pdf" and "attachment" in served.headers["Content-Disposition"]


def test_a_file_over_the_limit_is_refused(make_app):
    app = make_app(ATTACHMENT_MAX_BYTES=1024)
    client = app.test_client()
    from tests.conftest import Auth

    api = Api(client, Auth(client))
    rid = api.create(app)
    response = upload(api, rid, png_bytes(size=(400, 400)) + os.urandom(2048), "big.png")
    assert response.status_code == 422 and "MB" in response.json["message"]["file"][0]
    assert stored(app) == []


def test_files_of_a_submitted_case_are_added_by_the_unit_whose_turn_it_is(app, api):
    rid = api.create(app)
    api.act("grid_a", rid, "submit")
    assert upload(api, rid, png_bytes(), "late.png").status_code == 403  # the village's turn is over
    assert upload(api, rid, png_bytes(), "township.png", user="township").status_code == 201


@pytest.mark.parametrize("user", ["grid_a", "grid_b"])
def test_fab_bulk_action_doors_are_closed_for_cases(app, api, client, auth, user):
    """The case views declare no actions: FAB's action doors (which skip the row scope) change nothing."""
    rid = api.create(app)
    auth.login(user)
    assert client.get(f"/report/action/muldelete/{rid}").status_code == 404
    assert client.post("/report/action_post", data={"action": "muldelete", "rowid": [str(rid)]}).status_code == 404
    auth.logout()  # the browser session would take precedence over the API token
    assert api("grid_a", "GET", f"/report/{rid}").status_code == 200  # still there


def test_an_upload_without_a_file_is_refused_in_chinese(app, api):
    rid = api.create(app)
    response = api("grid_a", "POST", "/attachment/", None, data={"report_id": str(rid)},
                   content_type="multipart/form-data")
    assert response.status_code == 422 and response.json["message"]["file"] == ["请选择文件"]
