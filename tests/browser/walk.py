"""Walking the pages as a user does: follow the links a page shows, read what it shows, judge its language.

The judge reuses the catalog approach of tests/test_web_every_page_language.py (an English source text on a
Chinese page, a Chinese translation on an English page) and adds: raw keys, identifiers of the code (form
field keys and option values, notice kinds, role and agency-type codes, engine counters, audit event types);
template or script debris (`None`, `{{`, `%(`, `undefined`, `NaN`, `[object Object]`, `<Macro`); on a Chinese
page any English phrase; on an English page any Chinese that the database does not hold as data.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.test_web_every_page_language import CHINESE, ENGLISH
from workflows.models import notice

ROOT = Path(__file__).resolve().parents[2]

# Links the walk does not follow: downloads, the API, switching language or signing out, static files.
SKIPPED = re.compile(r"^/(static/|api/|language/|logout|favicon)|\.(xlsx|pdf|bpmn|docx?)$|/attachments/")
# Query values that only name a row (paging cursors, a case number typed in a filter, a diagram's version, a
# process: its start form or its items are one page whatever the process).
ROW_PARAMETERS = {"after", "business_key", "next", "version", "process"}
# On a Chinese page, a word in Latin letters with a lower-case letter is English, unless it is part of an
# identifier, a file name or an address (DEMO-CT-NEW, report.docx, .bpmn); acronyms (PDF, BPMN) are Chinese usage.
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9_.\-/@])(?=[A-Z]*[a-z])[A-Za-z]{3,}(?![A-Za-z0-9_.\-/@])")
PROPER_NAMES = {"Excel", "Camunda", "Modeler", "SpiffArena", "Signavio", "Schema"}  # names (JSON Schema) in Chinese
# "None." ending a line is the English for an empty list; a Python None is not followed by a full stop there.
DEBRIS = re.compile(r"<Macro|\{\{|\}\}|\{%|%\(\w+\)|\bNone\b(?!\.[ \t]*(?:\n|$))|\bundefined\b|\bNaN\b"
                    r"|\[object Object\]")

# Everything a page shows, read once its scripts have rendered (the diagram and the modeler mark their
# container): its visible text, node by node (a label and its value are two texts even when CSS joins
# them), the attributes read aloud or shown on hover, the options of its lists (a closed
# <select> shows one), the labels of Chart.js charts (drawn on a canvas); and where its links lead (and its
# lists that load another page, such as the start form of each process).
# Not read: identifiers shown as identifiers (a process key, an agency code in the directory), set in <code>,
# and JSON an admin edits (the resume form's corrections, textarea.json);
# the other language's name on the switch to it; bpmn.io's "Powered by" mark, which its licence keeps.
READ_PAGE = """async () => {
  const rendering = () => [...document.querySelectorAll('[data-testid=diagram], [data-testid=modeler-canvas]')]
    .some(el => !el.dataset.rendered);
  for (let waited = 0; rendering() && waited < 10000; waited += 25) {
    await new Promise(resolve => setTimeout(resolve, 25));
  }
  const unread = 'code, textarea.json, a[hreflang], .bjs-powered-by, script, style, template';
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    const text = node.textContent.trim();
    if (text && parent && !parent.closest(unread) && parent.checkVisibility()) texts.push(text);
  }
  for (const el of document.querySelectorAll('[title], [placeholder], [aria-label], [alt]')) {
    if (el.closest(unread)) continue;
    for (const name of ['title', 'placeholder', 'aria-label', 'alt']) {
      if (el.hasAttribute(name)) texts.push(el.getAttribute(name));
    }
  }
  for (const option of document.querySelectorAll('option')) texts.push(option.textContent);
  for (const button of document.querySelectorAll('input[type=submit], input[type=button]')) texts.push(button.value);
  const charts = window.Chart && window.Chart.instances ? Object.values(window.Chart.instances) : [];
  for (const chart of charts) {
    texts.push(...(chart.data.labels || []).map(String));
    for (const set of chart.data.datasets || []) texts.push(String(set.label || ''));
    for (const scale of Object.values(chart.options.scales || {})) {
      if (scale.title && scale.title.text) texts.push(String(scale.title.text));
    }
  }
  const failed = document.querySelector('[data-rendered=error]') !== null;
  const links = [...document.querySelectorAll('a[href]:not([download])')].map(a => a.href);
  for (const select of document.querySelectorAll('select[data-reload]')) {  // a list that loads another page
    for (const option of select.options) {
      const url = new URL(select.dataset.reloadUrl, location.href);
      url.searchParams.set(select.dataset.reload, option.value);
      links.push(url.href);
    }
  }
  return {texts: texts.filter(Boolean), lang: document.documentElement.lang, rendering: rendering(), failed, links};
}"""


def _form_keys(schema: Any) -> Iterator[str]:
    """Every property name and option value declared at any depth of a JSON Schema."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                yield from value
            elif key in ("enum", "const"):
                yield from (v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str))
            yield from _form_keys(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _form_keys(value)


def raw_keys() -> set[str]:
    """Identifiers of the code that must never reach a page: snake_case names and dotted event types.

    Form field keys and option values of the shipped processes, their process and element ids, the
    variables their scripts set, notice kinds (the model's and the diagrams'), measure and outcome codes, role and
    agency-type codes of the demo directory, the audit trail's event types.
    """
    from app.demo import AGENCY_TYPES, DEMO_USERS

    keys = {value for name, value in vars(notice).items() if name.isupper() and isinstance(value, str)}
    for form in sorted((ROOT / "bpmn").glob("*/*.json")):
        keys.update(_form_keys(json.loads(form.read_text(encoding="utf-8"))))
    for diagram in sorted((ROOT / "bpmn").glob("*/*.bpmn")):
        text = diagram.read_text(encoding="utf-8")
        keys.update(re.findall(r"^\s*([a-z][a-z0-9]*_[a-z0-9_]+)\s*=(?!=)", text, re.M))  # script variables
        keys.update(re.findall(r"<bpmn:\w+ id=\"([a-z]+_[a-z0-9_]+)\"", text))  # process and element ids
        keys.update(re.findall(r"name=\"(?:noticeKind|measure|outcome|kpi)\" value=\"(\w+)", text))
    keys.update(code for code, _name, _about in AGENCY_TYPES)
    keys.update(role for *_user, roles in DEMO_USERS for role in roles)
    for source in sorted((ROOT / "workflows").rglob("*.py")):
        keys.update(re.findall(r"record\(\s*\w+,\s*f?\"([a-z_]+\.[a-z_]+)\"", source.read_text(encoding="utf-8")))
    # Short words that are also English (a role "leader" in an English sentence) are judged by the catalog.
    return {key for key in keys if "_" in key or "." in key}


RAW_KEYS = sorted(raw_keys())
_RAW = re.compile(r"(?<![\w.])(" + "|".join(re.escape(k) for k in RAW_KEYS) + r")(?![\w])")


HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


# Columns holding sentences the system wrote in Chinese, not data: notice titles, stop reasons, the audit
# trail's payloads (which repeat them). Chinese from there on an English page is interface text.
SYSTEM_TEXTS = {"notice.title", "process_instance.error_reason", "audit_event.payload"}


def data_texts(session: Any, metadata: Any) -> str:
    """Every string the database holds as data (names, case data, diagrams and forms), JSON decoded:
    Chinese on an English page is data when it occurs here, and interface text when it does not."""
    from sqlalchemy import select

    found: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                collect(key)
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, str) and value not in found:
            found.add(value)
            if value[:1] in "[{":
                with contextlib.suppress(ValueError):  # text that only starts like JSON
                    collect(json.loads(value))

    for table in metadata.sorted_tables:
        columns = [c for c in table.columns if f"{table.name}.{c.name}" not in SYSTEM_TEXTS]
        for row in session.execute(select(*columns)):
            collect(list(row))
    return "\n".join(sorted(t for t in found if HAN.search(t)))


def findings_in(texts: list[str], language: str, data: str = "") -> list[str]:
    """What a page in `language` should not show: the other language's interface texts, raw keys, debris;
    on an English page, Chinese that is not in the database's `data`."""
    shown = "\n".join(texts)
    other = ENGLISH if language == "zh" else CHINESE
    found = [f"{'English' if language == 'zh' else 'Chinese'} text: {t!r}" for t in other if t in shown]
    found += [f"raw key: {k!r}" for k in sorted(set(_RAW.findall(shown)))]
    found += [f"debris: {_around(shown, m.span())}" for m in DEBRIS.finditer(shown)]
    if language == "zh":
        found += [f"English: {_around(shown, span)}" for span in _phrases(LATIN_WORD.finditer(shown), shown)]
    elif data:
        found += [f"Chinese not in the data: {_around(shown, m.span())}" for m in re.finditer(r"\S+", shown)
                  if HAN.search(m.group()) and not _from_data(m.group(), data)]
    return found


@functools.cache
def _from_data(text: str, data: str) -> bool:
    """Whether a text is made of pieces of data (two characters at least each, or punctuation and digits):
    a diagram's notice text around a case number, a label and its value with no space between."""
    if not text or text in data:
        return True
    if not HAN.match(text):
        return _from_data(text[1:], data)
    return any(text[:end] in data and _from_data(text[end:], data) for end in range(len(text) - 1, 1, -1))


def _phrases(words: Iterator[re.Match[str]], text: str) -> list[tuple[int, int]]:
    """English words with nothing but ASCII between them joined into one span: a phrase is one finding."""
    spans: list[tuple[int, int]] = []
    for word in (w for w in words if w.group() not in PROPER_NAMES):
        if spans and word.start() - spans[-1][1] <= 30 and text[spans[-1][1]:word.start()].isascii():
            spans[-1] = (spans[-1][0], word.end())
        else:
            spans.append(word.span())
    return spans


def _around(text: str, span: tuple[int, int]) -> str:
    """The text found, and a little of what surrounds it to find it on the page."""
    start, end = max(0, span[0] - 25), min(len(text), span[1] + 25)
    return f"{text[span[0]:span[1]]!r} in {' '.join(text[start:end].split())!r}"


def shape(url: str) -> str:
    """The page a URL shows, whatever the row: ids become '#', process keys '*', cursors, typed filters
    and versions are dropped."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/#", parts.path)
    path = re.sub(r"^/admin/processes/(?!upload$)[^/]+", "/admin/processes/*", path)  # one process's pages
    query = sorted((k, v) for k, v in parse_qsl(parts.query) if k not in ROW_PARAMETERS and v)
    return path + ("?" + urlencode(query) if query else "")


def local_path(url: str, origin: str) -> str | None:
    """The path and query of a link the walk follows, or None (another site, a download, a skipped kind)."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin or SKIPPED.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Walk:
    """One walk of a user in a language: each page shape once; and each concrete case, item and mediation
    page its links reach that no walk in its language (`seen_rows`, shared) has read yet."""

    page: Any
    origin: str
    language: str
    user: str
    seen_rows: set[str]
    data: str = ""  # the database's texts (data_texts): Chinese found there is data on an English page
    findings: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)
    landed: str | None = None  # where the last page read was, after redirects

    def run(self, start: str, extra: tuple[str, ...] = ()) -> None:
        """Breadth first from `start`, then the `extra` paths (error pages nothing links to)."""
        queue, done = [start], set()
        while queue:
            path = queue.pop(0)
            if path in done or (shape(path) in done and not self._unread_row(path)):
                continue
            links = self.read(path)
            done.update({path, shape(path), *([self.landed, shape(self.landed)] if self.landed else [])})
            self.seen_rows.add(path)
            queue.extend(links)
        for path in extra:
            self.read(path, linked=False)

    def _unread_row(self, path: str) -> bool:
        """A page of one case, item or mediation nobody has read yet, in the language its id falls to (even
        ids in Chinese, odd in English: each row once, both languages over all rows); a process's start
        form in each language."""
        if path in self.seen_rows:
            return False
        parts = urlsplit(path)
        ids = re.findall(r"/(\d+)(?=/|$)", parts.path)
        if ids:
            return int(ids[-1]) % 2 == (self.language != "zh")
        return parts.path == "/instances/new" and "process=" in parts.query

    def read(self, path: str, linked: bool = True) -> list[str]:
        """Open a page, judge what it shows, return the paths of its links. A page a link offers opens (a
        refusal or a missing page behind a link is a broken link); an error page is read as any other."""
        response = self.page.goto(path)
        self.visited.append(path)
        where = f"{self.user} {self.language} {path}"
        status = response.status if response else None
        if status is None or status >= (400 if linked else 500):
            self.findings.append(f"{where}: status {status}")
        shown = self.page.evaluate(READ_PAGE)
        if shown["rendering"] or shown["failed"]:
            self.findings.append(f"{where}: the diagram did not render")
        if not shown["lang"].startswith(self.language):
            self.findings.append(f"{where}: page language {shown['lang']!r}")
        self.findings.extend(f"{where}: {finding}" for finding in findings_in(shown["texts"], self.language, self.data))
        self.landed = local_path(self.page.url, self.origin)
        return [p for p in (local_path(href.split("#")[0], self.origin) for href in shown["links"]) if p]
