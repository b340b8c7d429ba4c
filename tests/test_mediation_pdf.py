"""The judicial-confirmation application package as PDF (WeasyPrint): pages, the CJK font, the Chinese text."""

from __future__ import annotations

import re
import zlib

import pytest
from flask.testing import FlaskClient

from app.web import pdf as pdf_module
from tests.browser.seed import mediation_agreed, mediation_at_settlement
from tests.test_web_pages import sign_in

TITLE = "司法确认申请材料"  # in the heading: 调解协议司法确认申请材料
PARTIES = "上海某科技有限公司张三"  # the parties of tests.test_mediation_paths.settlement


def streams(pdf: bytes) -> list[bytes]:
    """Every stream of the file, inflated where it is compressed (object streams hold the dictionaries)."""
    found = []
    for match in re.finditer(rb"stream\r?\n", pdf):
        raw = pdf[match.end():pdf.find(b"endstream", match.end())]
        try:
            found.append(zlib.decompress(raw))
        except zlib.error:
            found.append(raw)
    return [pdf, *found]


def text_characters(parts: list[bytes]) -> set[str]:
    """The characters the fonts' ToUnicode maps give the drawn glyphs (what a PDF reader extracts)."""
    chars = set()
    for part in parts:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", part, re.S):
            for code in re.findall(rb"<[0-9a-fA-F]+>\s*<([0-9a-fA-F]+)>", block):
                chars.add(bytes.fromhex(code.decode()).decode("utf-16-be"))
    return chars


@pytest.fixture
def package(app, client: FlaskClient, shipped) -> tuple[FlaskClient, int]:  # noqa: ANN001
    """A mediation brought to a signed agreement, and its mediator signed in."""
    instance_id = mediation_agreed(app, "嘉知调〔2026〕7号")
    sign_in(client, "jd_mediator")
    return client, instance_id


def test_the_printable_page_links_to_the_pdf(package) -> None:  # noqa: ANN001
    client, instance_id = package
    page = client.get(f"/mediation/{instance_id}/package").get_data(as_text=True)
    assert f'href="/mediation/{instance_id}/package.pdf"' in page and "下载 PDF" in page


def test_the_pdf_has_pages_the_cjk_font_and_the_chinese_text(package) -> None:  # noqa: ANN001
    client, instance_id = package
    response = client.get(f"/mediation/{instance_id}/package.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline;") and "judicial-confirmation-" in disposition
    assert "filename*=UTF-8''judicial-confirmation-%E5%98%89" in disposition  # 嘉知调〔2026〕7号, encoded
    assert response.headers["Cache-Control"] == "private, no-store"
    body = response.get_data()
    assert body.startswith(b"%PDF-")
    parts = streams(body)
    pages = sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", p)) for p in parts)
    fonts = {f.decode() for p in parts for f in re.findall(rb"/BaseFont\s*/([^\s/<>\[\]]+)", p)}
    assert pages >= 1
    assert any(re.search(r"WenQuanYi|NotoSansCJK|NotoSerifCJK", f) for f in fonts), fonts
    chars = text_characters(parts)
    assert set(TITLE + PARTIES + "嘉知调〔2026〕7号") <= chars, set(TITLE + PARTIES) - chars


def test_the_filename_keeps_the_case_number_but_not_path_characters() -> None:
    from types import SimpleNamespace

    from app.web.mediation import package_filename

    assert package_filename(SimpleNamespace(business_key="嘉知调〔2026〕7号", id=3)) == \
        "judicial-confirmation-嘉知调〔2026〕7号.pdf"
    assert package_filename(SimpleNamespace(business_key="../a b/c", id=3)) == "judicial-confirmation-a-b-c.pdf"
    assert package_filename(SimpleNamespace(business_key=None, id=3)) == "judicial-confirmation-3.pdf"


def test_other_roles_and_agencies_get_no_pdf(app, client: FlaskClient, shipped) -> None:  # noqa: ANN001
    instance_id = mediation_at_settlement(app, "嘉知调〔2026〕8号")
    sign_in(client, "jd_msa_liaison")  # neither mediator nor judge
    assert client.get(f"/mediation/{instance_id}/package.pdf").status_code == 403
    assert app.test_client().get(f"/mediation/{instance_id}/package.pdf").status_code == 302  # to sign-in


def test_without_weasyprint_the_page_says_so(package, monkeypatch) -> None:  # noqa: ANN001
    client, instance_id = package

    def missing() -> None:
        raise pdf_module.PdfUnavailableError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf_module, "_weasyprint", missing)
    response = client.get(f"/mediation/{instance_id}/package.pdf")
    assert response.status_code == 503 and "libpango" in response.get_data(as_text=True)


def test_the_fetcher_serves_static_files_only(app) -> None:  # noqa: ANN001
    weasyprint = pdf_module._weasyprint()
    fetcher = pdf_module.static_fetcher(weasyprint, app.static_folder, "/static/")
    css = fetcher.fetch("http://localhost/static/css/app.css")
    try:
        assert b"@page" in css.read() and css.content_type == "text/css"
    finally:
        css.close()
    for url in ("file:///etc/passwd", "http://localhost/static/../../config.py", "http://example.com/x.css",
                "http://localhost/static/nothing.css"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_the_package_reads_as_the_application(package) -> None:  # noqa: ANN001
    client, instance_id = package
    page = client.get(f"/mediation/{instance_id}/package").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[page.index("<article"):]))
    assert "共同申请人" in text and "申请人1" in text and "申请人2" in text
    assert ("请求确认申请人于2026-06-08经嘉定区知识产权纠纷人民调解委员会主持调解达成的"
            "调解协议（编号：嘉知调协〔2026〕1号）有效。") in text
    assert "此致 嘉定区人民法院" in text  # the court the case's court lane resolves to
    assert text.count("申请人（签名或者盖章）") == 2  # a line for each party
    assert "张三 ____" in text and "上海某科技有限公司 ____" in text
    assert text.count("91310114MA1G000000") == 1  # stated once, not a data dump printed twice
    assert "supplement_rounds" not in text and "session_summary" not in text


def test_the_fonts_are_configured_once_for_every_render(package) -> None:  # noqa: ANN001
    client, instance_id = package
    pdf_module.font_configuration.cache_clear()
    for _ in range(2):
        assert client.get(f"/mediation/{instance_id}/package.pdf").status_code == 200
    made = pdf_module.font_configuration.cache_info()
    assert made.misses == 1 and made.hits == 1  # the second PDF used the fonts the first one loaded
