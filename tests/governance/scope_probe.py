"""The cross-scope matrix's eyes and its map (tests/governance/test_scope_matrix.py).

- ``Probe``: one user of the world; what they may see of every scoped model (``for_user``, plus the
  divisions above their own, which every page names in its breadcrumbs), and ``leaks(body)``: every
  row named in an answer (by the marker the world puts in every text) that they may not see.
- ``api_routes``, ``page_routes``, ``admin_entries``: the URL conf and the admin registry read
  into the requests to make. Each kind of route is classified here; a route, an argument or an admin
  this file does not know fails the matrix instead of going unprobed."""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field

from django.contrib import admin
from django.db import connection, models
from django.db.models import Q
from django.urls import get_resolver
from rest_framework.viewsets import ViewSetMixin

from governance.models import User
from governance.querysets import ScopedQuerySet, path_ancestors, user_scope_paths
from governance.selectors import users_in_scope
from tests.governance.scope_world import MARKER, World
from tests.governance.test_scope_coverage import _patterns

# Admins of models that are not scoped, and why that is no leak.
UNSCOPED_ADMINS = {
    "auth.Group": "the role groups: the same for every division",
    "django_celery_beat.PeriodicTask": "schedules: district administrators only",
    "django_celery_beat.ClockedSchedule": "schedules: district administrators only",
    "django_celery_beat.CrontabSchedule": "schedules: district administrators only",
    "django_celery_beat.SolarSchedule": "schedules: district administrators only",
    "django_celery_beat.IntervalSchedule": "schedules: district administrators only",
    "axes.AccessAttempt": "sign-in lockouts: superusers only",
    "axes.AccessLog": "sign-in log: superusers only",
    "axes.AccessFailureLog": "sign-in failures: superusers only",
    "governance.User": "accounts: scoped by users_in_scope, probed with the markers in full names",
    "governance.CalendarDay": "the working-day calendar: one for the whole district",
    "security.LeaderCaseRule": "领导包案 rules: one set for the whole district",
    "governance.CalendarYear": "the working-day calendar: one for the whole district",
}

# Page arguments that name a row, by route (a page whose view declares ``model`` needs no entry).
PAGE_ARGUMENTS: dict[str, type[models.Model] | str] = {
    "people/<int:pk>/": "governance.Person",
    "households/<int:pk>/": "governance.Household",
    "dashboard/<str:code>/": "governance.Division",
    "dashboard/<str:code>/export.xlsx": "governance.Division",
    "civility/households/<int:household_id>/wallet/": "governance.Household",
    "civility/boards/<int:pk>/": "civility.HonorList",
    "security/disputes/<int:pk>/": "security.Dispute",
    "security/disputes/<int:pk>/<str:move>/": "security.Dispute",
    "security/disputes/<int:pk>/agreement/print/": "security.Dispute",
    "security/disputes/<int:pk>/receipt/": "security.Dispute",
    "villages/hamlets/<int:pk>/": "villages.Hamlet",
    "villages/hamlets/<int:pk>/meetings/new/": "villages.Hamlet",
    "villages/hamlets/<int:pk>/meetings/attendee-options/": "villages.Hamlet",
    "villages/hamlets/<int:pk>/households/": "villages.Hamlet",
    "villages/follow-ups/<int:pk>/": "villages.MeetingResolution",
    "residential/credit/<int:pk>/": "residential.CreditPeriod",
    "residential/credit/<int:pk>/evaluate/": "residential.CreditPeriod",
    "residential/credit/<int:pk>/list/": "residential.CreditPeriod",
    "residential/credit/evaluations/<int:pk>/publish/": "residential.CreditEvaluation",
    "residential/follow-ups/rectification/<int:pk>/": "residential.CommitteeRectification",
    "residential/follow-ups/enforcement/<int:pk>/": "residential.EnforcementVisit",
    "residential/follow-ups/resolution/<int:pk>/": "residential.MeetingResolution",
}
# Routes under the page prefixes that are not officers' pages: an htmx fragment, and the citizens'
# public page of a case's code (一案一码: no login, no scope; tests/security/test_tracking.py).
NOT_OFFICER_PAGES = {"divisions/options/", "t/<str:token>/"}
# Report actions of the API that take ``?within=<code>`` (a code outside the scope is 404).
WITHIN_REPORTS = {
    "black_list",
    "red_list",
    "yoy",
    "coverage_gaps",
    "completeness",
    "three_mediations",
    "three_situations",
    "coverage",
    "gaps",
    "by_level",
    "service_circle",
}


def _clean(route: str) -> str:
    return route.replace("(?P<pk>[^/.]+)", "{pk}").replace("^", "").replace("$", "")


@dataclass(frozen=True)
class ApiRoute:
    url: str  # with "{pk}" for a detail route
    model: type[models.Model]
    methods: dict[str, str]  # HTTP method → viewset action

    @property
    def detail(self) -> bool:
        return "{pk}" in self.url


def api_routes() -> list[ApiRoute]:
    """Every router route under /api/v1/ (format-suffix twins aside). A viewset whose queryset is not
    scoped fails here."""
    out = []
    for route, pattern in _patterns(get_resolver()):
        cls = getattr(pattern.callback, "cls", None)
        if not route.startswith("api/v1/") or cls is None or not issubclass(cls, ViewSetMixin):
            continue
        if "<format>" in route or "(?P<format>" in route:
            continue
        queryset = getattr(cls, "queryset", None)
        assert isinstance(queryset, ScopedQuerySet), f"{route}: {cls.__name__} reads no scoped model"
        out.append(ApiRoute("/" + _clean(route), queryset.model, dict(pattern.callback.actions)))
    return out


@dataclass(frozen=True)
class PageRoute:
    route: str
    model: type[models.Model] | None  # the row its argument names, or None without an argument

    def url(self, value: object) -> str:
        return "/" + re.sub(r"<(?:int:|str:)?[a-z_]+>", lambda m: _arg(m.group(0), value), self.route)


def _arg(placeholder: str, value: object) -> str:
    return "close" if "move" in placeholder else str(value)


def page_routes() -> list[PageRoute]:
    """Every officers' page (the registry's page prefixes, people, households, dashboard)."""
    from django.apps import apps

    from governance.registry import registry

    prefixes = {f"{p}/" for p in registry.page_routes} | {"people/", "households/", "dashboard/"}
    out = []
    for route, pattern in _patterns(get_resolver()):
        if not any(route.startswith(p) for p in prefixes) or route in NOT_OFFICER_PAGES:
            continue
        if "<" not in route:
            out.append(PageRoute(route, None))
            continue
        model = PAGE_ARGUMENTS.get(route) or getattr(getattr(pattern.callback, "view_class", None), "model", None)
        assert model is not None, f"page {route}: its argument names no known row (add it to PAGE_ARGUMENTS)"
        out.append(PageRoute(route, apps.get_model(model) if isinstance(model, str) else model))
    return out


def admin_entries(scoped: list[type[models.Model]]) -> list[tuple[type[models.Model], admin.ModelAdmin]]:
    """The admin of every scoped model; an admin of another model must be in ``UNSCOPED_ADMINS``."""
    unknown = {m._meta.label for m in admin.site._registry if m not in scoped} - set(UNSCOPED_ADMINS)
    assert not unknown, f"admins of unscoped models not probed: {sorted(unknown)}"
    return [(m, a) for m, a in admin.site._registry.items() if m in scoped]


def body_text(response) -> str:
    """An answer's text; a spreadsheet is read from its XML parts."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            content = b"".join(book.read(name) for name in book.namelist() if name.endswith(".xml"))
    return content.decode("utf-8", "replace")


@dataclass
class Probe:
    name: str
    user: User
    world: World
    visible: dict[type[models.Model], set[int]] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    leaks_found: list[str] = field(default_factory=list)
    named_above: dict[type[models.Model], set[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        own = user_scope_paths(self.user)
        above = sorted({a for path in own for a in path_ancestors(path)} - set(own))
        for model in self.world.models:
            rows = model._default_manager.all()
            lookup = getattr(model, "scope_lookup", "division")
            self.visible[model] = set(rows.for_user(self.user).values_list("pk", flat=True))
            # Rows of the divisions above the user's own may be named (the breadcrumbs' township, the
            # district's 综治中心 a case may go up to, the township body handling a village's case);
            # rows of other branches of the tree may not.
            self.named_above[model] = set(
                rows.filter(**{f"{lookup}__path__in" if lookup else "path__in": above}).values_list("pk", flat=True)
            )
        self.visible[User] = set(users_in_scope(self.user).values_list("pk", flat=True)) | {self.user.pk}

    def model_of(self, index: int) -> type[models.Model]:
        return self.world.models[index] if index < len(self.world.models) else User

    def leaks(self, body: str) -> list[tuple[type[models.Model], int]]:
        """Rows named in ``body`` that this user may not see."""
        named = {(int(i), int(pk)) for i, pk in MARKER.findall(body)}
        self.counts["rows named"] += len(named)
        return [
            (model, pk)
            for model, pk in ((self.model_of(i), pk) for i, pk in named)
            if pk not in self.visible[model] and pk not in self.named_above.get(model, ())
        ]

    def check(self, what: str, response) -> str:
        """Count the request, record its leaks, return its text."""
        self.counts["requests"] += 1
        text = body_text(response)
        for model, pk in self.leaks(text):
            self.leaks_found.append(f"{self.name}: {what} names {model._meta.label} #{pk}")
        return text

    def outside(self, model: type[models.Model]) -> list[int]:
        """This user's out-of-scope rows of ``model`` (those of the other township first)."""
        rows = set(model._default_manager.values_list("pk", flat=True)) - self.visible[model]
        return sorted(rows - self.named_above.get(model, set())) + sorted(rows & self.named_above.get(model, set()))

    def outside_by_place(self, model: type[models.Model]) -> list[int]:
        """Out-of-scope rows that are also outside the user's divisions (the other township's): what a
        create pointing elsewhere sends. A row of the user's own area that a rule hides (another key's
        case, for an API key that reads only what it filed) is not "elsewhere" to file a case in."""
        rows = self.outside(model)
        lookup = getattr(model, "scope_lookup", "division")
        if getattr(model, "scope_through", "") or not rows:
            return rows
        field = f"{lookup}__path" if lookup else "path"
        paths = list(self.user.role_assignments.values_list("division__path", flat=True))
        here = Q()
        for path in paths:
            here |= Q(**{f"{field}__startswith": path})
        at_home = set(model._default_manager.filter(pk__in=rows).filter(here).values_list("pk", flat=True))
        return [pk for pk in rows if pk not in at_home]

    def inside(self, model: type[models.Model]) -> list[int]:
        return sorted(self.visible[model])


def table_fingerprint(models_: list[type[models.Model]]) -> dict[str, str]:
    """An md5 of every row of each model's table (and its many-to-many tables): equal before and after
    means nothing was written."""
    tables = {m._meta.db_table for m in models_}
    for m in models_:
        tables |= {f.remote_field.through._meta.db_table for f in m._meta.many_to_many}
    out = {}
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM \"{table}\" t")
            count, digest = cursor.fetchone()
            out[table] = f"{count}:{digest}"
    return out
