"""The organisation admin runs her organisation from /administration/ without the Django admin.

A crawl as the organisation admin from the start page follows every same-site link and GET
form it is shown (breadth first, bounded) and finds: no page that fails, no link into /admin/,
every page in Danish and in English. Every route of the console (clinic.admin_urls) is reached
by a link or a form, so no task needs a typed URL. The crawl only follows what is linked, so a
page added to the console is checked as soon as it is linked.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.conf import settings
from django.urls import URLPattern, reverse
from django.utils import timezone

from alarms.services.outcome_list import outcomes_make_own
from clinic import admin_urls
from interop.models import ApiCredential, FhirDestination, OutboxEntry
from interop.services import credential_issue
from tests.conftest import login
from tests.factories import (
    NurseFactory,
    OrgAdminFactory,
    ReferralFactory,
    monitored_patient,
    record_reading,
)

pytestmark = pytest.mark.django_db

START = "/administration/"
MAX_PAGES = 400
# The same path with other query strings (filters, pages) is crawled this many times at most.
MAX_VARIANTS = 3
SKIP_PREFIXES = ("/logout/", "/i18n/", "/static/", "/media/")
DJANGO_ADMIN = "/admin/"
LANGUAGES = ("da", "en")
# The API reference (drf-spectacular's Swagger UI) is for developers and comes in English.
ENGLISH_ONLY = ("/api/",)


@dataclass
class Form:
    method: str
    action: str | None
    fields: list[tuple[str, str]] = field(default_factory=list)
    # A select with nothing chosen: its name and its first real choice.
    choosable: dict[str, str] = field(default_factory=dict)

    def queries(self) -> list[str]:
        """What a browser sends as it stands, and with every select set to a real choice (a
        search form may show its results, and the links on them, only once something is
        chosen)."""
        chosen = [(name, self.choosable.get(name) or value) for name, value in self.fields]
        return list(dict.fromkeys([urlencode(self.fields), urlencode(chosen)]))


class PageParser(HTMLParser):
    """The links, forms and htmx targets of one page, with the values a browser would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.other_targets: list[str] = []  # hx-get, hx-post, formaction: checked, not followed
        self.lang = ""
        self._select: str | None = None
        self._selected: str | None = None
        self._first: str | None = None
        self._first_real: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        for name in ("hx-get", "hx-post", "hx-put", "hx-delete", "formaction"):
            if name in a:
                self.other_targets.append(a[name])
        if tag == "html":
            self.lang = a.get("lang", "")
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form":
            action = dict(attrs).get("action")
            self.forms.append(Form(method=a.get("method", "get").lower(), action=action))
        elif self.forms and tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.forms[-1].fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self.forms[-1].fields.append((a["name"], a.get("value", "")))
        elif self.forms and tag == "select" and a.get("name"):
            self._select = a["name"]
            self._selected = self._first = self._first_real = None
        elif self._select is not None and tag == "option":
            value = a.get("value", "")
            if self._first is None:
                self._first = value
            if self._first_real is None and value:
                self._first_real = value
            if "selected" in a:
                self._selected = value
        elif self.forms and tag == "textarea" and a.get("name"):
            self.forms[-1].fields.append((a["name"], ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None and self.forms:
            value = self._selected if self._selected is not None else (self._first or "")
            self.forms[-1].fields.append((self._select, value))
            if not value and self._first_real:
                self.forms[-1].choosable[self._select] = self._first_real
            self._select = None


def _same_site(base: str, target: str) -> str | None:
    """The path and query of a same-site target, or None for elsewhere, mail, phone, fragment."""
    if not target or target.startswith(("#", "mailto:", "tel:", "javascript:", "sms:")):
        return None
    parts = urlsplit(urljoin("http://testserver" + base, target))
    if parts.netloc != "testserver" or parts.scheme not in ("http", "https"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Crawl:
    pages: dict[str, int] = field(default_factory=dict)  # url -> status
    linked_paths: set[str] = field(default_factory=set)  # hrefs and form actions, any method
    shown_on: dict[str, str] = field(default_factory=dict)  # url -> the page that showed it
    admin_links: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    start_links: set[str] = field(default_factory=set)


def _get(client, url: str, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    try:
        return client.get(url, follow=True)
    except Exception as exc:  # a 500: say which page
        raise AssertionError(f"{url} ({language}) failed: {exc!r}") from exc


def crawl(client) -> Crawl:
    result = Crawl()
    queue: deque[str] = deque([START])
    seen = {START}
    variants: dict[str, int] = {}
    while queue and len(result.pages) < MAX_PAGES:
        url = queue.popleft()
        responses = {language: _get(client, url, language) for language in LANGUAGES}
        response = responses["en"]
        result.pages[url] = response.status_code
        where = result.shown_on.get(url, "the start")
        for language, answer in responses.items():
            if answer.status_code != 200:
                result.problems.append(
                    f"{url} (linked from {where}) answered {answer.status_code} in {language}"
                )
            elif answer.redirect_chain and urlsplit(answer.redirect_chain[-1][0]).path in (
                reverse("login"),
                "/admin/login/",
            ):
                result.problems.append(f"{url} (linked from {where}) sent her to a login page")
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        for language, answer in responses.items():
            parser = PageParser()
            parser.feed(answer.content.decode())
            if parser.lang != language and not url.startswith(ENGLISH_ONLY):
                result.problems.append(f"{url} is not in {language}: <html lang={parser.lang!r}>")
        parser = PageParser()
        parser.feed(response.content.decode())
        targets: list[tuple[str, bool]] = [(href, True) for href in parser.links]
        for form in parser.forms:
            action = form.action if form.action is not None else final
            if form.method == "get":
                base = (_same_site(final, action) or "").split("?")[0]
                for query in form.queries():
                    targets.append((f"{base}?{query}" if query else base, True))
            else:
                targets.append((action or final, False))
        targets += [(target, False) for target in parser.other_targets]
        for target, follow in targets:
            resolved = _same_site(final, target)
            if resolved is None:
                continue
            path = resolved.split("?")[0]
            if path.startswith(DJANGO_ADMIN):
                result.admin_links.append((url, resolved))
                continue
            result.linked_paths.add(path)
            if url == START:
                result.start_links.add(path)
            if not follow or resolved in seen or path.startswith(SKIP_PREFIXES):
                continue
            if variants.get(path, 0) >= MAX_VARIANTS:
                continue
            variants[path] = variants.get(path, 0) + 1
            seen.add(resolved)
            result.shown_on[resolved] = url
            queue.append(resolved)
    return result


def console_routes() -> list[str]:
    """The paths of the console's routes that take no URL arguments."""
    paths = []
    for pattern in admin_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name and not pattern.pattern.regex.groupindex:
            paths.append(reverse(f"patients:{pattern.name}"))
    return paths


@pytest.fixture
def organisation_with_data(org_municipality, team, other_team, nurse, doctor, citizen, org_admin):
    """An organisation in use: patients with readings, a referral waiting, users and teams, a
    FHIR destination with deliveries (one failed), API clients and device
    tokens, and audit events."""
    second = monitored_patient(team, treating_doctor=doctor, first_name="Else")
    monitored_patient(other_team, first_name="Finn")
    record_reading(citizen, "spo2", "86", ago=timedelta(hours=2))
    record_reading(second, "spo2", "97", ago=timedelta(hours=1))
    ReferralFactory(receiving_organisation=org_municipality, referring_doctor=doctor)
    NurseFactory(organisation=org_municipality, teams=[other_team])
    OrgAdminFactory(organisation=org_municipality)
    destination = FhirDestination.objects.create(
        name="Regionens FHIR", base_url="https://fhir.example.org/r4", organisation=org_municipality
    )
    now = timezone.now()
    OutboxEntry.objects.create(
        destination=destination,
        patient=citizen,
        resource_type="Observation",
        object_id=1,
        status=OutboxEntry.Status.FAILED,
        attempts=8,
        last_error="HTTP 503",
        created_at=now - timedelta(hours=3),
    )
    OutboxEntry.objects.create(
        destination=destination, patient=second, resource_type="Observation", object_id=2
    )
    credential_issue(
        kind=ApiCredential.Kind.SYSTEM,
        name="Sundhedsjournal",
        organisation=org_municipality,
        created_by=org_admin,
    )
    credential_issue(
        kind=ApiCredential.Kind.DEVICE, name="Tablet", patient=citizen, created_by=nurse
    )
    return org_municipality


def test_the_organisation_admin_reaches_every_task_without_the_django_admin(
    client, organisation_with_data, nurse, citizen, org_admin, gp_clinic
):
    # A nurse reads a patient, so the audit log has patient events to show.
    login(client, nurse)
    client.get(f"/patients/{citizen.pk}/")
    client.logout()
    # The municipality's admin, with the built-in outcome list ...
    login(client, org_admin)
    crawls = [crawl(client)]
    client.logout()
    # ... and a GP clinic's admin, whose clinic has made the outcome list its own: some tasks
    # are offered only in one of the two states.
    outcomes_make_own(organisation=gp_clinic)
    login(client, OrgAdminFactory(organisation=gp_clinic).user)
    crawls.append(crawl(client))

    for console in crawls:
        assert len(console.pages) > 10, console.pages  # the crawl really went somewhere
        # Every page she is shown works, in Danish and in English.
        assert not console.problems, "\n".join(console.problems)
        # Nothing she sees links into the Django admin.
        assert not console.admin_links, console.admin_links
        # The start page links to every area (a route one step below /administration/).
        areas = [path for path in console_routes() if re.fullmatch(r"/administration/[^/]+/", path)]
        missing = [path for path in areas if path not in console.start_links]
        assert not missing, f"not linked from {START}: {missing}"
    # Every task of the console is reached by a link or a form.
    linked = set().union(*(console.linked_paths for console in crawls))
    unreached = [path for path in console_routes() if path not in linked]
    assert not unreached, f"only reachable by typing the URL: {unreached}"


def test_the_django_admin_does_not_let_the_organisation_admin_in(client, org_admin):
    login(client, org_admin)
    response = client.get("/admin/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/patients/patient/").status_code in (302, 403)
