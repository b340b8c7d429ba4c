"""Attachments belong to a case: uploaded for a held work item or a start form, read only through their case."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, select

from app import create_app
from app.demo import load_demo
from app.extensions import db
from app.files import file_store
from tests.test_openapi import conforms
from workflows.deployment.deploy import deploy
from workflows.models import Attachment, User
from workflows.work.instances import instance_work_items, start_instance
from workflows.work.work_items import attach_file, claim
from workflows.work.work_items import complete as complete_item

DATA = Path(__file__).parent / "data" / "attachments"
PHOTO = b"\xff\xd8\xff\xe0 a photo of the seized shoes" * 50


@pytest.fixture
def store(app, tmp_path, monkeypatch) -> Path:  # noqa: ANN001
    """Attachments of this test go to a folder of its own."""
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path / "attachments"))
    return tmp_path / "attachments"


@pytest.fixture
def process(client, auth, store) -> None:  # noqa: ANN001
    """The test process with a file on its start form and on its first task, deployed by the admin."""
    files = {"diagram": (io.BytesIO((DATA / "evidence.bpmn").read_bytes()), "evidence.bpmn"),
             "forms": [(io.BytesIO((DATA / name).read_bytes()), name) for name in ("evidence.json", "start.json")]}
    deployed = client.post("/api/v1/process-definitions", data=files, headers=auth.headers("admin"),
                           content_type="multipart/form-data")
    assert deployed.status_code == 201, deployed.get_json()


def on_disk(store: Path) -> list[str]:
    """Every file in the attachment folder, temporary ones included."""
    return sorted(p.name for p in store.rglob("*") if p.is_file()) if store.exists() else []


def send(client, path: str, headers, content: bytes = PHOTO, name: str = "shoes.jpg"):  # noqa: ANN001, ANN201
    return client.post(path, data={"file": (io.BytesIO(content), name)}, headers=headers,
                       content_type="multipart/form-data")


def held_task(client, headers, data=None) -> tuple[int, int]:  # noqa: ANN001
    """Start a case as the caller and claim its evidence task: (case id, item id)."""
    started = client.post("/api/v1/process-instances", json={"process_key": "attached_evidence", "data": data or {}},
                          headers=headers)
    assert started.status_code == 201, started.get_json()
    (item,) = started.get_json()["next_items"]
    assert client.post(f"/api/v1/work-items/{item['id']}/claim", headers=headers).status_code == 200
    return started.get_json()["id"], item["id"]


def complete(client, headers, item_id: int, description):  # noqa: ANN001, ANN201
    return client.post(f"/api/v1/work-items/{item_id}/complete", headers=headers,
                       json={"data": {"evidence_note": "现场照片", "evidence_file": description}})


def test_a_file_uploaded_for_a_held_task_is_read_through_its_case(client, auth, process, store):  # noqa: ANN001
    jd = auth.headers("jd_msa_liaison")
    case, item = held_task(client, jd)
    uploaded = send(client, f"/api/v1/work-items/{item}/attachments", jd)
    assert uploaded.status_code == 201, uploaded.get_json()
    described = uploaded.get_json()["description"]
    assert described["filename"] == "shoes.jpg" and described["size"] == len(PHOTO)
    assert complete(client, jd, item, described).status_code == 200
    listed = client.get(f"/api/v1/process-instances/{case}/attachments", headers=jd).get_json()
    assert [(a["sha256"], a["uploaded_by"], a["work_item_id"]) for a in listed] == \
        [(described["sha256"], "jd_msa_liaison", item)]
    with client.get(f"/api/v1/process-instances/{case}/attachments/{described['sha256']}", headers=jd) as download:
        assert download.status_code == 200 and download.data == PHOTO
        assert download.headers["Content-Type"] == "application/octet-stream"
        assert "attachment" in download.headers["Content-Disposition"]


def test_uploads_lists_downloads_and_refusals_answer_as_the_document_says(client, auth, process, store):  # noqa: ANN001
    document = client.get("/api/v1/openapi.json").get_json()
    jd = auth.headers("jd_msa_liaison")
    start_upload = "/api/v1/process-definitions/{key}/start-attachments"
    waiting = send(client, start_upload.format(key="attached_evidence"), jd)
    assert waiting.get_json()["instance_id"] is None and waiting.get_json()["work_item_id"] is None
    conforms(document, waiting, "post", start_upload)
    conforms(document, send(client, start_upload.format(key="no_such_process"), jd), "post", start_upload)
    case, item = held_task(client, jd)
    upload = "/api/v1/work-items/{item_id}/attachments"
    sha = send(client, upload.format(item_id=item), jd).get_json()["sha256"]
    conforms(document, send(client, upload.format(item_id=item), auth.headers("cn_msa_liaison")), "post", upload)
    listing, download = "/api/v1/process-instances/{instance_id}/attachments", \
        "/api/v1/process-instances/{instance_id}/attachments/{sha256}"
    conforms(document, client.get(listing.format(instance_id=case), headers=jd), "get", listing)
    for digest in (sha, "0" * 64):  # 200 with the file, 404
        with client.get(download.format(instance_id=case, sha256=digest), headers=jd) as answer:
            conforms(document, answer, "get", download)
    (store / sha[:2] / sha).write_bytes(b"not the photo any more")
    conforms(document, client.get(download.format(instance_id=case, sha256=sha), headers=jd), "get", download)


def test_another_agency_cannot_reach_a_file_by_writing_its_checksum(client, auth, process, store):  # noqa: ANN001
    """长宁 copies 嘉定's file description into its own case: refused at submission, no download anywhere."""
    jd, cn = auth.headers("jd_msa_liaison"), auth.headers("cn_msa_liaison")
    jd_case, jd_item = held_task(client, jd)
    described = send(client, f"/api/v1/work-items/{jd_item}/attachments", jd).get_json()["description"]
    cn_case, cn_item = held_task(client, cn)
    refused = complete(client, cn, cn_item, described)
    assert refused.status_code == 422 and "evidence_file" in refused.get_json()["errors"]
    assert client.get(f"/api/v1/process-instances/{cn_case}/attachments/{described['sha256']}",
                      headers=cn).status_code == 404
    assert client.get(f"/api/v1/process-instances/{jd_case}/attachments/{described['sha256']}",
                      headers=cn).status_code == 403
    assert client.get(f"/api/v1/process-instances/{cn_case}/attachments", headers=cn).get_json() == []


def test_a_refused_upload_writes_nothing_to_disk(client, auth, process, store):  # noqa: ANN001
    jd = auth.headers("jd_msa_liaison")
    _case, item = held_task(client, jd)
    assert send(client, f"/api/v1/work-items/{item}/attachments", auth.headers("cn_msa_liaison")).status_code == 403
    assert send(client, f"/api/v1/work-items/{item}/attachments", auth.headers("jd_msa_leader")).status_code == 409
    assert send(client, f"/api/v1/work-items/{item}/attachments", auth.headers("jd_police_liaison")).status_code == 403
    police_start = send(client, "/api/v1/process-definitions/attached_evidence/start-attachments",
                        auth.headers("jd_police_liaison"))
    assert police_start.status_code == 403  # the police do not start this process
    assert on_disk(store) == []


def test_a_file_over_the_limit_is_refused_and_leaves_nothing(app, client, auth, process, store, monkeypatch):  # noqa: ANN001
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1000)
    jd = auth.headers("jd_msa_liaison")
    _case, item = held_task(client, jd)
    refused = send(client, f"/api/v1/work-items/{item}/attachments", jd)
    assert refused.status_code == 422 and "file" in refused.get_json()["errors"]
    body = refused.get_json()  # the limit in bytes for a client, in megabytes for a person
    assert (body["code"], body["params"]["limit"], body["params"]["mb"]) == ("file_too_large", 1000, 0.0)
    assert on_disk(store) == []


def test_a_damaged_file_answers_410(client, auth, process, store):  # noqa: ANN001
    jd = auth.headers("jd_msa_liaison")
    case, item = held_task(client, jd)
    sha = send(client, f"/api/v1/work-items/{item}/attachments", jd).get_json()["sha256"]
    (store / sha[:2] / sha).write_bytes(b"not the photo any more")
    assert client.get(f"/api/v1/process-instances/{case}/attachments/{sha}", headers=jd).status_code == 410


def test_a_start_form_file_waits_for_the_case_its_uploader_starts(client, auth, process, store):  # noqa: ANN001
    jd, leader = auth.headers("jd_msa_liaison"), auth.headers("jd_msa_leader")
    uploaded = send(client, "/api/v1/process-definitions/attached_evidence/start-attachments", jd, name="投诉书.pdf")
    assert uploaded.status_code == 201 and uploaded.get_json()["instance_id"] is None
    described = uploaded.get_json()["description"]
    stolen = client.post("/api/v1/process-instances", headers=leader,
                         json={"process_key": "attached_evidence", "data": {"complaint_file": described}})
    assert stolen.status_code == 422 and "complaint_file" in stolen.get_json()["errors"]
    case, _item = held_task(client, jd, {"complaint_file": described})
    listed = client.get(f"/api/v1/process-instances/{case}/attachments", headers=jd).get_json()
    assert [(a["filename"], a["work_item_id"]) for a in listed] == [("投诉书.pdf", None)]
    again = client.post("/api/v1/process-instances", headers=jd,
                        json={"process_key": "attached_evidence", "data": {"complaint_file": described}})
    assert again.status_code == 422  # bound to its case: it starts no second one


def test_the_migration_gives_existing_files_to_the_cases_that_name_them(scratch_url, tmp_path):  # noqa: ANN001
    """Files named by data written before attachments had rows become attachments of those cases."""
    migrated = create_app("testing", {"SQLALCHEMY_DATABASE_URI": scratch_url,
                                      "ATTACHMENT_DIR": str(tmp_path / "files")})
    with migrated.app_context():
        upgrade()
        load_demo(db.session, None)
        deploy(db.session, (DATA / "evidence.bpmn").read_bytes(),
               {name: (DATA / name).read_bytes() for name in ("evidence.json", "start.json")}, None)
        liaison = db.session.scalars(select(User).where(User.username == "jd_msa_liaison")).one()
        instance = start_instance(db.session, liaison, "attached_evidence")
        (item,) = instance_work_items(db.session, instance, active_only=True)
        claim(db.session, liaison, item)
        stored = attach_file(db.session, file_store(), liaison, item, io.BytesIO(PHOTO), "shoes.jpg", "image/jpeg")
        complete_item(db.session, liaison, item, {"evidence_note": "照片", "evidence_file": stored.describe()})
        expected = [(instance.id, stored.sha256, item.id)]
        db.session.execute(delete(Attachment))  # as a database of before this change
        db.session.commit()
        downgrade(revision="70b527cf3ae7")
        upgrade()
        rows = db.session.execute(select(Attachment.instance_id, Attachment.sha256, Attachment.work_item_id)).all()
        db.session.remove()
        db.engine.dispose()
    assert [tuple(r) for r in rows] == expected
