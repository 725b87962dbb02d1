"""Chinese throughout: every admin page, every page of the portal and the API docs show no common
English UI words (issue 14 item 5).

The pages are found, not listed: every model registered in the admin (changelist, add, change and
history of its first row), and every GET route outside ``admin/`` and ``api/`` (a route with a
``pk`` is filled with the first row of its view's model). A new page is checked without touching
this file; a route whose arguments cannot be guessed goes into ``ROUTE_ARGS`` (how to fill it) or
``ROUTES_NOT_PAGES`` (why it is not a page). One demo seed serves the whole module.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import Model
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from governance.models import Division, Household, User
from security.services.tracking import tracking_token
from tests.auth import verified_login

# Common English words of a UI: buttons, headers, filters, pagination, Django's and the
# third-party apps' leftovers. Matched as whole words, case-insensitively.
ENGLISH_UI_WORDS = """
    select all choose add change delete remove save search filter filters task tasks name yes no unknown
    actions action go history import export submit cancel previous next first last page home view edit
    show hide clear reset today now date time status enabled disabled true false none all any
    scheduler schedule interval crontab clocked solar arguments keyword expires description
    username password user users group groups permissions staff active log logs entry entries
    close open back more details confirm continue upload download file format resource
""".split()  # noqa: SIM905 (a list of words reads better as words)
# Latin text that belongs in a Chinese UI: names of formats, standards and identifiers.
WHITELIST = {"API", "Excel", "CSV", "XLSX", "ID", "IP", "TOTP", "REST", "JSON", "URL", "PDF", "OpenAPI"}
# Attributes whose text a user sees (placeholders, tooltips). Not ``alt``: Django's admin hard-codes
# alt="True"/"False" on its boolean icons and alt="Search" on the search icon, which show as icons.
VISIBLE_ATTRIBUTES = {"placeholder", "title"}


# Routes with arguments other than ``pk``: how to fill them (called after the demo seed).
def _first(model: str) -> Callable[[], dict]:
    return lambda: {"pk": apps.get_model(model)._default_manager.order_by("pk").first().pk}


ROUTE_ARGS: dict[str, Callable[[], dict]] = {
    "governance:person-detail": _first("governance.Person"),
    "governance:household-detail": _first("governance.Household"),
    "security:dispute-detail": _first("security.Dispute"),
    "villages:hamlet-detail": _first("villages.Hamlet"),
    "villages:meeting-create": _first("villages.Hamlet"),
    "villages:households-assign": _first("villages.Hamlet"),
    "residential:credit-period": _first("residential.CreditPeriod"),
    "residential:credit-evaluate": _first("residential.CreditPeriod"),
    "dashboard:division": lambda: {"code": Division.objects.filter(parent=None).order_by("code").first().code},
    "civility:board-detail": _first("civility.HonorList"),
    "civility:wallet": lambda: {"household_id": Household.objects.order_by("pk").first().pk},
    "security:dispute-receipt": _first("security.Dispute"),
    # The public page of a case's code (一案一码): the code of the first case, issued on first print.
    "tracking:public": lambda: {
        "token": tracking_token(dispute=apps.get_model("security", "Dispute").objects.order_by("pk").first())
    },
    "security:leader-case-detail": _first("security.LeaderCase"),
    "security:agreement-print": lambda: {
        "pk": apps.get_model("security", "MediationAgreement").objects.order_by("pk").first().dispute_id
    },
}
# Routes that are not HTML pages, with the reason.
ROUTES_NOT_PAGES = {
    "": "the favicon redirect",
    "logout": "POST only",
    "api-schema": "the OpenAPI document itself (its texts are checked below)",
    "governance:division-options": "an htmx fragment of <option>s (division names)",
    **dict.fromkeys(
        ("villages:attendee-options", "integrity:subject-options", "integrity:case-subject-options"),
        "an htmx fragment of a picker's checkboxes (people's names); needs ?name=<field>",
    ),
    "civility:declaration-check": "JSON for the declaration form's cap check",
    "dashboard:export": "an Excel file (its headers are checked in tests/governance/test_dashboard*.py)",
    "integrity:campaign-funnel-export": "an Excel file",
    "security:dispute-move": "POST only (the moves are buttons on the dispute page)",
    **dict.fromkeys(
        (
            "integrity:clue-dispose",
            "integrity:measure-take",
            "integrity:measure-end",
            "integrity:sanction-decide",
            "integrity:recovery-record",
            "integrity:case-close",
        ),
        "POST only (forms on the clue's and the case's page, which are checked)",
    ),
    "integrity:clue-reporter": "needs integrity.view_cluereporter, which no demo account holds (by design); "
    "shown in tests/integrity/test_casework.py",
    "security:dispute-link": "POST only (the link buttons of the dispute page's suggestions)",
    "security:leader-case-action": "POST only (the forms of the leader-case page)",
    "governance:notice-read": "POST only (marks notices read and follows the link)",
    **dict.fromkeys(
        (f"residential:follow-up-{kind}" for kind in ("rectification", "enforcement", "resolution")),
        "POST only (the forms of the follow-up list, which is checked)",
    ),
    "residential:credit-list-action": "POST only (the 红黑榜 buttons of the period page, which is checked)",
    "residential:credit-evaluation-publish": "POST only (the 发布评价 buttons of the period page, which is checked)",
    "villages:follow-up-record": "POST only (the forms of the 屋场会决议 follow-up list, which is checked)",
    "otp-enrol": "shown only between the password and the second factor (a signed-in page user is past it); "
    "rendered with its Chinese text asserted in tests/governance/test_second_factor.py",
    "otp-verify": "shown only between the password and the second factor (as otp-enrol)",
    **dict.fromkeys(
        ("open311:services", "open311:service", "open311:requests", "open311:request"),
        "Open311 GeoReport v2 JSON for other systems (Chinese descriptions: tests/security/test_open311.py)",
    ),
}
# Who opens the portal's pages: the first of these to get a 200 is the one checked.
# ``None`` is a visitor who has not signed in (the sign-in page).
PAGE_USERS = ("demo_district_admin", "demo_discipline_inspector", "demo_community_officer", "demo_shop_operator", None)


class _VisibleText(HTMLParser):
    """Text a user reads: text nodes outside script/style/template, plus captions held in attributes."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.headers: list[str] = []  # text of <thead>: column headers, never data
        self._hidden = 0
        self._thead = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
            return
        if tag == "thead":
            self._thead += 1
        attributes = dict(attrs)
        for name in VISIBLE_ATTRIBUTES:
            if attributes.get(name):
                self.parts.append(attributes[name])
        if tag == "input" and attributes.get("type") in {"submit", "button", "reset"} and attributes.get("value"):
            self.parts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1
        if tag == "thead" and self._thead:
            self._thead -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)
            if self._thead:
                self.headers.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def column_headers(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.headers)


_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z']*(?![A-Za-z0-9])")  # not inside a code (9143ALL01)
# Code, not words: dotted or snake_case names (proj.tasks.import_contacts, TASK_QUEUES), paths and
# addresses (/admin/…/change/), and django-axes' stored "<unknown>" for a missing header.
_CODE = re.compile(r"\w+(?:[._]\w+)+|(?:https?:/)?/[\w/.?=&%-]*|<unknown>")
_FORBIDDEN = {word.lower() for word in ENGLISH_UI_WORDS}


def english_ui_words(text: str, *, headers: str = "") -> list[str]:
    """The common English UI words of ``text`` (whole words, any case), and every English word of the
    column ``headers`` (Django upper-cases a header built from a Python name: "SCHEDULER"). Codes in
    the data (case numbers, credit codes) are not words of the UI and pass."""
    text = _CODE.sub(" ", text)
    found = [word for word in _WORD.findall(text) if word not in WHITELIST and word.lower() in _FORBIDDEN]
    found += [word for word in _WORD.findall(headers) if word not in WHITELIST and len(word) > 1]
    return found


def html_english_ui_words(html: str) -> list[str]:
    return list(dict.fromkeys(english_ui_words(visible_text(html), headers=column_headers(html))))


def test_the_detector_finds_english_and_passes_chinese():
    html = (
        '<th><a href="?o=1">NAME</a></th><input type="submit" value="Save"><script>var Delete = 1;</script>'
        '<label>全选<input placeholder="Search"></label><p title="导出 Excel">用户 ID、API 与 CSV</p>'
    )
    assert html_english_ui_words(html) == ["NAME", "Save", "Search"]
    assert html_english_ui_words("<thead><tr><th>Scheduler</th></tr></thead><td>LXJW-2025-001</td>") == ["Scheduler"]
    assert html_english_ui_words("<p>保存并继续编辑 TOTP 验证码</p>") == []
    assert html_english_ui_words("<p>任务名（例如 proj.tasks.import_contacts）TASK_QUEUES /a/1/change/</p>") == []
    assert html_english_ui_words("<td>91431302ALL0123X</td>") == []


# --- the pages ------------------------------------------------------------------------------------


def _routes(patterns, prefix: str = "", namespace: str | None = None) -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith(("admin/", "api/v1/")):
                continue
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
            yield name, pattern


def _route_model(pattern: URLPattern) -> type[Model] | None:
    view = getattr(pattern.callback, "view_class", None)
    model = getattr(view, "model", None)
    queryset = getattr(view, "queryset", None)
    return model or getattr(queryset, "model", None)


def portal_pages() -> Iterator[str]:
    """URL of every page outside the admin and the API (see the module's docstring)."""
    for name, pattern in _routes(get_resolver().url_patterns):
        if name in ROUTES_NOT_PAGES:
            continue
        converters = pattern.pattern.converters
        if name in ROUTE_ARGS:
            yield reverse(name, kwargs=ROUTE_ARGS[name]())
        elif not converters:
            yield reverse(name)
        elif set(converters) == {"pk"} and (model := _route_model(pattern)) is not None:
            row = model._default_manager.order_by("pk").first()
            assert row is not None, f"{name}: the demo has no {model.__name__} to open"
            yield reverse(name, kwargs={"pk": row.pk})
        else:
            yield f"{name}: add it to ROUTE_ARGS (how to fill its arguments) or ROUTES_NOT_PAGES"


def admin_pages(username: str) -> Iterator[str]:
    """Admin index, each app's index, and each registered model's changelist, add (where the admin
    offers it), import and export (where it has them), change and history."""
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(username=username)
    yield reverse("admin:index")
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        yield reverse("admin:app_list", args=[model._meta.app_label])
        yield reverse("admin:{}_{}_changelist".format(*info))
        if model_admin.has_add_permission(request):
            yield reverse("admin:{}_{}_add".format(*info))
        # django-import-export's pages (the field pickers, "Select all", the format list).
        if getattr(model_admin, "has_import_permission", None) and model_admin.has_import_permission(request):
            yield reverse("admin:{}_{}_import".format(*info))
        if getattr(model_admin, "has_export_permission", None) and model_admin.has_export_permission(request):
            yield reverse("admin:{}_{}_export".format(*info))
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            yield reverse("admin:{}_{}_change".format(*info), args=[row.pk])
            yield reverse("admin:{}_{}_history".format(*info), args=[row.pk])


@pytest.fixture
def demo(db):
    """A small demo seed (every app's steps) and a superuser who sees every admin page."""
    cache.clear()
    call_command("seed_demo", households=60, stdout=open(os.devnull, "w"))  # noqa: SIM115
    User.objects.create_superuser("zh_superuser", password="pw-test-123")
    yield
    cache.clear()


def _offences(client, urls: Iterator[str], users: tuple[str, ...]) -> dict[str, list[str]]:
    offences: dict[str, list[str]] = {}
    for url in dict.fromkeys(urls):  # once each, in order
        if not url.startswith("/"):
            offences[url] = ["not checked"]
            continue
        for username in users:
            if username is None:
                client.logout()
            else:
                verified_login(client, User.objects.get(username=username))
            response = client.get(url)
            if response.status_code == 200:
                break
        else:
            offences[url] = [f"HTTP {response.status_code} for {', '.join(map(str, users))}"]
            continue
        if "html" not in response.get("Content-Type", ""):
            continue
        words = html_english_ui_words(response.content.decode())
        if words:
            offences[url] = sorted(set(words))
    return offences


def _report(offences: dict[str, list[str]]) -> str:
    return "English UI words on:\n" + "\n".join(f"  {url}: {' '.join(words)}" for url, words in offences.items())


def api_docs_offences(client) -> dict[str, list[str]]:
    """The Swagger page's own text, and each operation's summary and description in the schema: Chinese,
    with no Latin words besides the whitelist and parameter names written as code (`within`)."""
    verified_login(client, User.objects.get(username="demo_district_admin"))
    offences = _offences(client, iter([reverse("api-docs")]), ("demo_district_admin",))
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            summary, description = operation.get("summary", ""), operation.get("description", "")
            # Parameter names are written as code (`within`) and are not words of the UI.
            prose = re.sub(r"`[^`]*`", "", f"{summary} {description}")
            latin = [w for w in _WORD.findall(prose) if w not in WHITELIST]
            if not re.search(r"[\u4e00-\u9fff]", summary) or not re.search(r"[\u4e00-\u9fff]", description) or latin:
                offences[f"{method.upper()} {path}"] = latin or ["no Chinese summary or description"]
    return offences


def test_admin_pages_portal_pages_and_api_docs_show_no_english_ui_words(client, demo):
    """One seed for all three (seeding is the slow part); the report lists every offending page."""
    offences = {
        **_offences(client, admin_pages("zh_superuser"), ("zh_superuser",)),
        **_offences(client, portal_pages(), PAGE_USERS),
        **api_docs_offences(client),
    }
    assert not offences, _report(offences)


# --- the project's catalogue ----------------------------------------------------------------------


def _po_entries(path) -> dict[str, str]:
    """msgid → msgstr of a .po file's singular entries (enough for our hand-written catalogue)."""
    entries: dict[str, str] = {}
    key, parts = None, {"msgid": [], "msgstr": []}
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if line.startswith(("msgid ", "msgstr ")):
            key, _sep, rest = line.partition(" ")
            if key == "msgid" and parts["msgstr"]:
                entries["".join(parts["msgid"])] = "".join(parts["msgstr"])
                parts = {"msgid": [], "msgstr": []}
            parts[key].append(ast.literal_eval(rest))
        elif line.startswith('"') and key in parts:
            parts[key].append(ast.literal_eval(line))
        elif not line or line.startswith("msgid_plural") or line.startswith("msgstr["):
            if parts["msgstr"]:
                entries["".join(parts["msgid"])] = "".join(parts["msgstr"])
            key, parts = None, {"msgid": [], "msgstr": []}
    entries.pop("", None)
    return entries


def test_committed_catalogue_is_compiled_from_the_po():
    """The .mo is committed (CI may have no msgfmt): editing the .po without `make messages` fails here."""
    folder = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
    with open(folder / "django.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    entries = _po_entries(folder / "django.po")
    assert len(entries) > 50
    assert {msgid: catalogue.gettext(msgid) for msgid in entries} == entries
