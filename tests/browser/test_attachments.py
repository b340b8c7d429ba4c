"""A liaison attaches a file to a task form; it is kept across errors, stored by SHA-256, listed and downloadable."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.browser.conftest import sign_in
from tests.browser.seed import deploy_folder, open_case

PHOTO = bytes(range(256)) * 40 + "现场检查照片".encode()  # binary, so a text round trip would show
NAME = "现场照片.jpg"


def test_liaison_attaches_a_file_and_downloads_it_by_checksum(live_app, new_page) -> None:  # noqa: ANN001
    deploy_folder(live_app, "evidence")
    instance_id = open_case(live_app, "JD-ATT-001", process="evidence_filing")
    sha256 = hashlib.sha256(PHOTO).hexdigest()
    page = new_page()
    sign_in(page, "jd_msa_liaison")
    page.locator("tr[data-task='task_file']", has_text="JD-ATT-001").get_by_role("button", name="认领").click()
    page.set_input_files("#f-evidence_file", files=[{"name": NAME, "mimeType": "image/jpeg", "buffer": PHOTO}])
    page.get_by_role("button", name="提交").click()  # the note is missing
    page.wait_for_selector("[data-error-for=evidence_note]")
    kept = page.locator("[data-field=evidence_file] .attachment")  # not lost with the error: no second upload
    assert NAME in kept.inner_text() and sha256[:12] in kept.inner_text()
    assert "[data-error-for=evidence_file]" not in page.content()

    page.fill("#f-evidence_note", "现场拍摄的假冒商品照片")
    page.get_by_role("button", name="提交").click()
    # The same liaison reviews next: the submission leads straight to that task of the same case.
    page.wait_for_selector(f"[data-testid=work-item][data-task=task_review][data-instance='{instance_id}']")
    assert page.locator(".flash.success").count() == 1
    stored = Path(live_app.config["ATTACHMENT_DIR"]) / sha256[:2] / sha256
    assert stored.read_bytes() == PHOTO

    page.goto(f"/instances/{instance_id}")
    link = page.locator("[data-testid=case-data] a.attachment", has_text=NAME)
    assert link.get_attribute("data-sha256") == sha256
    assert sha256[:12] in page.locator("[data-testid=case-data]").inner_text()
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == NAME
    assert hashlib.sha256(Path(download.path()).read_bytes()).hexdigest() == sha256

    # Another agency's liaison cannot fetch it, even with the address.
    police = new_page()
    sign_in(police, "jd_police_liaison")
    assert police.request.get(link.get_attribute("href")).status in (403, 404)
