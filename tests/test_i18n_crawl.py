"""Danish and English everywhere: crawl every page each role reaches, in both languages.

On the demo data, each persona (nurse, doctor, organisation admin, citizen) follows the links of
every page from her start page. A text node (or a title, placeholder, aria-label or alt) fails
the test when, on a Danish page, it is an English msgid of our catalog that has a Danish
translation, or, on an English page, it is such a Danish translation. The .po file itself must
have no fuzzy and no empty entries.
"""

from __future__ import annotations

import gettext
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve

from demo import DEMO_PASSWORD
from demo.seed import demo_seed

BASE_DIR = Path(__file__).resolve().parents[1]
PO = BASE_DIR / "locale" / "da" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

PERSONAS = {
    "nurse": "nurse.nord1",
    "doctor": "doctor.gp1",
    "admin": "admin.aarhus",
    "citizen": "citizen.001",
}
# Not pages for people: machine interfaces, downloads, the operators' Django admin, logout.
SKIP = re.compile(r"^/(static|media|fhir|api|admin|i18n|logout)(/|$)|\.(csv|json|png|js|css)$")
# Pages of one kind visited per role and language (a patient page is a patient page).
PER_ROUTE = 2
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
SPACE = re.compile(r"\s+")


VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class TextNodes(HTMLParser):
    """The texts a reader meets in the page's language: text nodes outside script/style and
    some attributes, leaving out what is marked as another language (``lang="en"`` on the
    language switch's "English", an English label shown beside the Danish one)."""

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, skipped: script or other language)
        self._language = language

    def _skipping(self) -> bool:
        return any(skipped for _tag, skipped in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = (values.get("lang") or "").split("-")[0]
        skipped = tag in ("script", "style", "template") or bool(lang and lang != self._language)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if not (skipped or self._skipping()):
            for name in ATTRIBUTES:
                if values.get(name):
                    self.texts.append(values[name] or "")
        if tag not in VOID:
            self._stack.append((tag, skipped))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.texts.append(data)


def _catalog() -> dict[str, str]:
    """English msgid -> Danish msgstr for every entry that differs (plurals: the singular; the
    .mo file does not keep the English plural)."""
    with MO.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    pairs: dict[str, str] = {}
    for key, value in catalog.items():
        if not key or not value:
            continue
        if isinstance(key, tuple):
            key, index = key
            if index != 0:
                continue
        msgid = key.split("\x04")[-1]  # drop a context
        if msgid != value:
            pairs[msgid] = value
    return pairs


PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[sdif]|%%")


def _all_msgids() -> set[str]:
    with MO.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    return {(k[0] if isinstance(k, tuple) else k).split("\x04")[-1] for k in catalog if k}


def _pattern(message: str) -> tuple[re.Pattern[str], str]:
    """A message with placeholders as a full-match pattern, and its longest literal part."""
    parts = PLACEHOLDER.split(message)
    literal = max(parts, key=len).strip()
    return re.compile(".+?".join(re.escape(part) for part in parts), re.S), literal


CATALOG = _catalog() if MO.exists() else {}
MSGIDS = _all_msgids() if MO.exists() else set()
PLAIN = {k: v for k, v in CATALOG.items() if not PLACEHOLDER.search(k)}
DANISH = {v: k for k, v in PLAIN.items()}
# Messages with placeholders ("Expected %(what)s not received"), as patterns, when their fixed
# text is long enough to tell the languages apart.
ENGLISH_PATTERNS = [
    (*_pattern(k), v) for k, v in CATALOG.items() if PLACEHOLDER.search(k) and "<" not in k
]
DANISH_PATTERNS = [(*_pattern(v), k) for k, v in CATALOG.items() if PLACEHOLDER.search(k)]
ENGLISH_ANY = [_pattern(k)[0] for k in MSGIDS if PLACEHOLDER.search(k)]


# Month names (Django's catalog, not ours): the wrong language's are a formatting leak.
ENGLISH_MONTHS = re.compile(
    r"\b(January|February|March|April|June|July|August|September|October|November|December)\b"
)
DANISH_MONTHS = re.compile(
    r"\b(januar|februar|marts|maj|juni|juli|oktober)\b"  # those that differ from English
)


def _leaks(texts: list[str], language: str) -> set[str]:
    found = set()
    for raw in texts:
        text = SPACE.sub(" ", raw).strip()
        if len(text) < 3 or not re.search(r"[A-Za-zÆØÅæøå]{3}", text):
            continue
        months = (ENGLISH_MONTHS if language == "da" else DANISH_MONTHS).search(text)
        if months:
            found.add(f"a month name in the other language: {text!r}")
        if language == "da":
            if text in PLAIN and text not in DANISH:
                found.add(f"English on a Danish page: {text!r} (Danish: {PLAIN[text]!r})")
                continue
            for pattern, literal, danish in ENGLISH_PATTERNS:
                if len(literal) >= 8 and literal in text and pattern.fullmatch(text):
                    if not _pattern(danish)[0].fullmatch(text):
                        found.add(f"English on a Danish page: {text!r} (Danish: {danish!r})")
                    break
        else:
            if text in DANISH and text not in MSGIDS:
                found.add(f"Danish on an English page: {text!r} (English: {DANISH[text]!r})")
                continue
            for pattern, literal, english in DANISH_PATTERNS:
                if len(literal) >= 8 and literal in text and pattern.fullmatch(text):
                    if not any(other.fullmatch(text) for other in ENGLISH_ANY):
                        found.add(f"Danish on an English page: {text!r} (English: {english!r})")
                    break
    return found


def _crawl(client, start: str, language: str) -> dict[str, set[str]]:
    """Every page reached from ``start`` by links; returns the leaks per page."""
    seen: set[str] = set()
    per_route: dict[str, int] = defaultdict(int)
    queue = [start]
    leaks: dict[str, set[str]] = {}
    while queue:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen or SKIP.search(path):
            continue
        seen.add(url)
        try:
            match = resolve(path)
        except Resolver404:
            continue
        route = match.view_name
        if per_route[route] >= PER_ROUTE:
            continue
        per_route[route] += 1
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code in (200, 302, 403), (url, response.status_code)
        if response.status_code == 302:
            queue.append(response["Location"])
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = TextNodes(language)
        parser.feed(response.content.decode())
        found = _leaks(parser.texts, language)
        if found:
            leaks[url] = found
        for href in parser.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link not in seen:
                queue.append(link)
    assert len(seen) > 3, f"the crawl from {start} found almost nothing: {sorted(seen)}"
    return leaks


@pytest.mark.django_db
def test_every_page_speaks_the_readers_language(client):
    """One test for all personas and both languages: the demo data is seeded once."""
    demo_seed(patients=24)
    report = []
    for persona, username in PERSONAS.items():
        for language in ("da", "en"):
            client.logout()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            assert client.login(username=username, password=DEMO_PASSWORD)
            for url, found in _crawl(client, "/", language).items():
                report.append(f"{persona} {language} {url}\n  " + "\n  ".join(sorted(found)))
    assert not report, "\n".join(report)


def test_the_check_finds_english_on_danish_pages_and_danish_on_english_ones():
    assert _leaks(["Not acknowledged", "Ikke kvitteret"], "da") == {
        "English on a Danish page: 'Not acknowledged' (Danish: 'Ikke kvitteret')"
    }
    assert _leaks(["  Ikke\n kvitteret ", "Type", "SpO2"], "en") == {
        "Danish on an English page: 'Ikke kvitteret' (English: 'Not acknowledged')"
    }
    assert _leaks(["7. December 2026"], "da") and not _leaks(["7. december 2026"], "da")
    # With placeholders: the fixed words tell the language.
    assert _leaks(["You acknowledged a result at 10:02."], "da")
    assert not _leaks(["Du kvitterede for et resultat kl. 10:02."], "da")
    parser = TextNodes("da")
    parser.feed('<p>Dansk <span lang="en">English</span> <a href="/x" title="Red">y</a></p>')
    assert "English" not in parser.texts and "Red" in parser.texts and parser.links == ["/x"]


def catalog_problems(text: str) -> tuple[list[str], list[str]]:
    """The fuzzy and the untranslated entries of a .po file's text."""
    entries = [entry for entry in text.split("\n\n") if "msgid" in entry]
    fuzzy = [entry for entry in entries if re.search(r"^#,.*\bfuzzy\b", entry, re.M)]
    empty = [
        entry
        for entry in entries
        if not re.search(r'^msgid ""\nmsgstr', entry, re.M)  # the header has no msgid
        and not entry.lstrip().startswith("#~")
        and re.search(r'^msgstr(\[\d\])? ""\n(?!")', entry + "\n", re.M)
    ]
    return fuzzy, empty


def test_the_catalog_check_finds_fuzzy_and_empty_entries():
    sample = (
        'msgid ""\nmsgstr ""\n"Language: da\\n"\n\n'
        '#, fuzzy\nmsgid "Red"\nmsgstr "Rød"\n\n'
        'msgid "Green"\nmsgstr ""\n\n'
        'msgid ""\n"Long"\nmsgstr ""\n"Lang"\n\n'
        'msgid "Yellow"\nmsgstr "Gul"\n'
    )
    fuzzy, empty = catalog_problems(sample)
    assert [e.splitlines()[1] for e in fuzzy] == ['msgid "Red"']
    assert [e.splitlines()[0] for e in empty] == ['msgid "Green"']


def test_the_catalog_has_no_fuzzy_or_empty_entries():
    fuzzy, empty = catalog_problems(PO.read_text(encoding="utf-8"))
    assert not fuzzy, "fuzzy entries:\n" + "\n\n".join(fuzzy[:5])
    assert not empty, "untranslated entries:\n" + "\n\n".join(empty[:5])
