"""What each app contributes to the shared parts of the portal.

governance/ imports no app. Instead each app registers, from its own ``demo.py``,
``indicators.py``, ``roles.py`` and ``AppConfig.ready()``, what it adds: demo data for
``seed_demo``, indicators for the leaders' dashboard, API routes under ``/api/v1/<app>/``, page
routes under ``/<app>/``, permissions for the roles, default periodic tasks, and links on the
home page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DemoStep:
    name: str
    func: Callable[..., Any]  # func(*, stdout, options) -> None; must be idempotent
    order: int = 100


GOOD_UP = "up"
GOOD_DOWN = "down"

# How a figure rolls up (``Rollup.kind``): a count or sum adds up over divisions and months; a ratio or
# mean is kept as numerator and denominator (each adds up) and divided at read; a snapshot is how
# things stand now, kept once per division whatever the period.
ADDITIVE = "additive"
RATIO = "ratio"
SNAPSHOT = "snapshot"


@dataclass(frozen=True)
class RollupTrigger:
    """A base table whose writes make roll-up cells dirty. ``division`` and ``day`` are SQL over a
    changed row ``r`` (and the ``joins``), run on the statement's transition tables: e.g. division
    ``"r.division_id"``, day ``"(r.received_at AT TIME ZONE 'Asia/Shanghai')::date"``, joins
    ``"JOIN civility_pointaccount a ON a.id = r.account_id"``. ``day`` is empty for a snapshot source."""

    table: str
    division: str = "r.division_id"
    day: str = ""
    joins: str = ""


@dataclass(frozen=True)
class RollupSource:
    """Base rows that some indicators roll up from, as one set-based ``GROUP BY`` (division, month):
    ``SELECT <division>, <month of day>, <measures…> FROM <from_sql> WHERE <where> GROUP BY 1, 2``.

    - ``from_sql``: the FROM clause, the main table aliased ``t`` (``"security_dispute t"``); the aliases
      ``d`` and ``rg`` are the reader's own (it joins ``governance_division d``), so never use them; the
      SQL always runs with parameters, so a literal ``%`` is written ``%%``;
    - ``division``: SQL of the row's division id (``"t.division_id"``);
    - ``day_column``: the column dating a row (``"t.received_at"``), empty for a snapshot source;
      ``day_is_timestamp``: True for a timestamp (its local date, Asia/Shanghai, counts);
    - ``measures``: name → aggregate SQL (``{"received": "count(*)"}``), numbers only; ``{today}`` in
      one stands for today's local date;
    - ``where``: a fixed filter (``"t.status = 'confirmed'"``);
    - ``triggers``: the tables whose inserts, updates and deletes mark (division, month) dirty;
    - ``volatile``: a measure depends on today (超期: deadline before today): the cells are recomputed
      once a day even when no row changed."""

    key: str
    from_sql: str | Callable[[], str]  # or a function giving it (e.g. SQL compiled from the ORM, at use)
    measures: dict[str, str]
    triggers: tuple[RollupTrigger, ...]
    division: str = "t.division_id"
    day_column: str = ""
    day_is_timestamp: bool = False
    where: str = ""
    volatile: bool = False


@dataclass(frozen=True)
class Rollup:
    """How an indicator is read from roll-up cells instead of computed from base tables: the measure(s)
    of ``source`` it stands on and how they become the figure. ``finish(numerator, denominator)`` turns
    the summed measures into the figure (default: the numerator for a count, ``None`` when a ratio's
    denominator is 0); it must give what ``Indicator.compute`` gives for the same rows."""

    source: str
    numerator: str
    denominator: str = ""
    kind: str = ADDITIVE
    finish: Callable[[Any, Any], Any] | None = None


@dataclass(frozen=True)
class Indicator:
    key: str
    title: str
    section: str  # one of the "三基三创" sections: organisation, safety, integrity, civility
    compute: Callable[..., Any]  # compute(*, division, start, end) -> number
    unit: str = ""
    order: int = 100
    # False for a figure of how things stand (people registered, 屋场 with all three bodies…):
    # it does not depend on the period, so the dashboard shows no year-over-year change for it.
    dated: bool = True
    # The dashboard's charts this indicator appears in: "by_child" (one bar per child division) and/or
    # "by_month" (one point per month of the period).
    charts: tuple[str, ...] = ()
    # Which way is better: "up" (化解率, 按期推进), "down" (超期, 信访同比) or "" (neither: 受理纠纷 may rise
    # because people trust the centre). The dashboard colours a change by it, never by its sign alone.
    good: str = ""
    # How the figure rolls up (see ``Rollup``); None: computed from base tables each time (the fallback).
    rollup: Rollup | None = None
    # For a figure computed from base tables: the same figure for several periods at once,
    # ``compute_spans(*, division, spans: list[tuple[date, date]]) -> list`` (one value per span, each
    # what ``compute`` gives for it) in a fixed number of queries whatever the number of spans. The
    # dashboard asks it for the period, the year before and the months it charts, in one call.
    compute_spans: Callable[..., list[Any]] | None = None


@dataclass(frozen=True)
class HomeLink:
    title: str
    url_name: str
    roles: frozenset[str]
    description: str = ""
    order: int = 100
    # A figure shown on the tile for the signed-in user (我包的案: how many cases they lead), or None.
    count: Callable[[Any], int] | None = None


@dataclass(frozen=True)
class NavLink:
    """A link in every page's top navigation, shown to users with ``permission`` (``"app.codename"``)
    or, when no permission is named, to holders of ``roles``."""

    title: str
    url_name: str
    order: int = 100
    permission: str = ""
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Schedule:
    """A default periodic task, created in django-celery-beat when missing (then edited in the admin)."""

    name: str
    task: str
    crontab: dict  # minute, hour, day_of_month, month_of_year, day_of_week ({} with ``every_seconds``)
    description: str = ""
    kwargs: dict = field(default_factory=dict)  # the task's keyword arguments (e.g. a district job's name)
    # Run every so many seconds instead (django-celery-beat's IntervalSchedule): for what a crontab's
    # one-minute grain is too coarse for (the dashboard's roll-ups, fresh within a minute).
    every_seconds: int = 0


@dataclass(frozen=True)
class NoticeKind:
    """A kind of 站内通知 an app sends (``"security.awaiting_acceptance"``); each person chooses per kind
    whether it also comes by e-mail."""

    key: str
    title: str
    description: str = ""
    order: int = 100


@dataclass(frozen=True)
class TodoItem:
    """One row of 我的待办: what waits, where to open it, and its date (due or received), or None."""

    title: str
    url: str
    date: Any = None
    overdue: bool = False


@dataclass(frozen=True)
class TodoSource:
    """A kind of work that waits for a user or their body (我的待办, issue 13 item 6): cases to accept,
    cases due within three working days, overdue follow-ups… ``count(user)`` and ``items(user, limit)``
    each cost one query whatever the number of rows, and see only what ``for_user`` lets the user see.
    Shown to holders of ``roles`` (and ``permission``, ``"app.codename"``, when named); ``url_name``
    (with ``query``) opens the full list."""

    key: str
    title: str
    roles: frozenset[str]
    count: Callable[[Any], int]
    items: Callable[[Any, int], list[TodoItem]]
    url_name: str = ""
    query: str = ""
    permission: str = ""
    order: int = 100

    def open_to(self, user: Any) -> bool:
        if not (user.is_superuser or user.roles & self.roles):
            return False
        return not self.permission or user.has_perm(self.permission)


@dataclass(frozen=True)
class DistrictJob:
    """Work run as one Celery task per district (``governance.fanout``): ``run(district=Division,
    key=str)`` does one district's share and returns a JSON-able summary, idempotent (run again for the
    same key, it writes nothing twice); ``default_key()`` is the key a scheduled run uses (last month,
    today…) when none is given; ``check_key(key)`` raises ``ValidationError`` for a key it cannot read."""

    name: str
    title: str
    run: Callable[..., Any]
    default_key: Callable[[], str]
    check_key: Callable[[str], Any] = lambda key: None


@dataclass
class Registry:
    demo_steps: dict[str, DemoStep] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    api_routes: dict[str, str] = field(default_factory=dict)
    page_routes: dict[str, str] = field(default_factory=dict)
    protocol_routes: dict[str, str] = field(default_factory=dict)
    role_permissions: dict[str, set[str]] = field(default_factory=dict)
    home_links: list[HomeLink] = field(default_factory=list)
    nav_links: dict[str, NavLink] = field(default_factory=dict)
    schedules: dict[str, Schedule] = field(default_factory=dict)
    post_rules: dict[str, Callable[[Any], None]] = field(default_factory=dict)
    # Services one app offers another without an import between them (apps stand on governance only):
    # ``registry.provide("points.hours_award", func)`` in one app, ``registry.provided(...)`` in another.
    services: dict[str, Callable[..., Any]] = field(default_factory=dict)
    notice_kinds: dict[str, NoticeKind] = field(default_factory=dict)
    webhook_events: dict[str, str] = field(default_factory=dict)
    admin_actions: dict[str, list[Callable]] = field(default_factory=dict)
    todo_sources: dict[str, TodoSource] = field(default_factory=dict)
    district_jobs: dict[str, DistrictJob] = field(default_factory=dict)
    rollup_sources: dict[str, RollupSource] = field(default_factory=dict)
    # Tables of other apps whose rows a source's SQL takes in (through ``provide``), by source key.
    rollup_extra_triggers: dict[str, list[RollupTrigger]] = field(default_factory=dict)
    service_owned_fields: dict[str, dict[str, str]] = field(default_factory=dict)

    def demo(self, name: str, *, order: int = 100) -> Callable:
        """Decorator: ``@registry.demo("villages.hamlets", order=20)`` adds a step to ``seed_demo``."""

        def wrap(func: Callable) -> Callable:
            self.demo_steps[name] = DemoStep(name=name, func=func, order=order)
            return func

        return wrap

    def indicator(self, indicator: Indicator) -> None:
        self.indicators[indicator.key] = indicator

    def rollup_source(self, source: RollupSource) -> None:
        """Declare base rows indicators roll up from (see ``RollupSource``); ``Indicator.rollup`` names it."""
        self.rollup_sources[source.key] = source

    def rollup_trigger(self, source: str, trigger: RollupTrigger) -> None:
        """Another app's table whose writes make the cells of ``source`` (a key) dirty: for a source
        whose SQL takes in that app's rows through a ``provide``d service (超期未办结的整改与决议 counts
        the villages app's 屋场会决议 too). Either app may load first."""
        triggers = self.rollup_extra_triggers.setdefault(source, [])
        if trigger not in triggers:
            triggers.append(trigger)

    def api(self, prefix: str, urlconf: str) -> None:
        """Mount an app's router module (e.g. ``"villages.api.urls"``) at ``/api/v1/<prefix>/``."""
        self.api_routes[prefix] = urlconf

    def pages(self, prefix: str, urlconf: str) -> None:
        """Mount an app's page URLs (a module with ``app_name``) at ``/<prefix>/``."""
        self.page_routes[prefix] = urlconf

    def protocol(self, prefix: str, urlconf: str) -> None:
        """Mount a standard protocol other systems speak (e.g. ``"open311/v2"``: GeoReport v2) at
        ``/<prefix>/``: machine endpoints with their own error form, neither pages nor ``/api/v1/``."""
        self.protocol_routes[prefix] = urlconf

    def grant(self, role: str, permissions: Iterable[str]) -> None:
        """Give a role model permissions (``"app_label.codename"``)."""
        self.role_permissions.setdefault(role, set()).update(permissions)

    def link(self, link: HomeLink) -> None:
        if all(existing.url_name != link.url_name for existing in self.home_links):
            self.home_links.append(link)

    def nav(self, link: NavLink) -> None:
        self.nav_links[link.url_name] = link

    def district_job(self, job: DistrictJob) -> None:
        self.district_jobs[job.name] = job

    def schedule(self, schedule: Schedule) -> None:
        self.schedules[schedule.name] = schedule

    def provide(self, name: str, func: Callable[..., Any]) -> None:
        self.services[name] = func

    def provided(self, name: str) -> Callable[..., Any]:
        """The service another app registered as ``name``; ``LookupError`` when no installed app offers it."""
        try:
            return self.services[name]
        except KeyError:
            raise LookupError(f"no installed app provides {name!r}") from None

    def post_rule(self, kind: str, rule: Callable[[Any], None]) -> None:
        """Who may hold a post in an organisation of ``kind`` (an ``OrganizationKind`` value): ``rule(post)``
        raises ``ValidationError`` (keyed by field) for a post that kind does not allow. ``Post.clean()``
        runs it, so every way of writing a post (the app's own service, the generic 职务 admin and API,
        imports) keeps the app's rule — e.g. only residents of the compound sit on its 业主委员会."""
        self.post_rules[kind] = rule

    def notice_kind(self, kind: NoticeKind) -> None:
        self.notice_kinds[kind.key] = kind

    def webhook_event(self, key: str, title: str) -> None:
        """An event type other systems may subscribe to (``"dispute.event"``: 纠纷办理进展)."""
        self.webhook_events[key] = title

    def admin_action(self, model_label: str, action: Callable) -> None:
        """Offer an app's admin action on a core model's changelist (``"governance.household"``): the
        core's admin imports no app, so a write the app's service owns (划入屋场) is added from the app.
        ``action`` is a Django admin action with ``short_description`` (and ``allowed_permissions``)."""
        actions = self.admin_actions.setdefault(model_label, [])
        if all(existing.__name__ != action.__name__ for existing in actions):
            actions.append(action)

    def todo(self, source: TodoSource) -> None:
        """Add a kind of work to 我的待办 (``/todo/``) and its count to the home page."""
        self.todo_sources[source.key] = source

    def service_owned(self, fields: dict[str, dict[str, str]]) -> None:
        """Declare the fields only a service may set (``{"civility.rankingmonth": {"status":
        "ranking_publish"}}``): read-only in every admin, refused by every API write (see
        ``governance.write_path``)."""
        for label, owned in fields.items():
            self.service_owned_fields.setdefault(label.lower(), {}).update(owned)

    def ordered_demo_steps(self) -> list[DemoStep]:
        return sorted(self.demo_steps.values(), key=lambda step: (step.order, step.name))


registry = Registry()
