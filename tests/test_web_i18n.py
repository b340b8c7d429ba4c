"""The Chinese catalog covers every page text, and the committed .mo matches its .po."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "app/translations/zh/LC_MESSAGES"
METHODS = [("app/web/**.py", "python"), ("app/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _page_texts() -> set[str]:
    """Every translatable text of the pages, as pybabel extracts it (see babel.cfg)."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_page_text_has_a_chinese_translation() -> None:
    with (CATALOG / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="zh")
    # A plural message (ngettext) is known by its singular; Chinese has one form, and it must be filled.
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id and m.string
                  and all(m.string if isinstance(m.string, tuple) else [m.string])}
    texts = _page_texts()
    assert len(texts) > 100  # the extraction found the pages
    missing = sorted(texts - translated)
    assert not missing, f"untranslated (run scripts/update-translations.sh and fill them in): {missing}"


def test_compiled_catalog_matches_its_source() -> None:
    def plain(value: object) -> object:  # a plural's forms: a tuple in the .po, a list in the .mo
        return tuple(value) if isinstance(value, list | tuple) else value

    with (CATALOG / "messages.po").open("rb") as f:
        source = {plain(m.id): plain(m.string) for m in read_po(f, locale="zh") if m.id}
    with (CATALOG / "messages.mo").open("rb") as f:
        compiled = {plain(m.id): plain(m.string) for m in read_mo(f) if m.id}
    assert compiled == source, "run scripts/update-translations.sh to recompile messages.mo"
