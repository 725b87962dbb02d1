"""Every page at demo size, the slowest ten (issue 14: every page under 1 s).

Seeds the demo (``seed_demo``; BENCH_HOUSEHOLDS, default 2000) into a throwaway database, signs in as
the district administrator and as a village (community) officer, and GETs every page of the URL conf
— the officers' pages, the dashboard and the admin (index, every changelist, add form and the change
form of a real row) — with real ids: the first row each user may see (``_resolvers``: one small
function per route with an id; a route without one is listed as skipped, so none is missed quietly).
A district discipline inspector opens the integrity pages; the GeoReport (open311) pages are called
with an API key made for the run. Each page is timed
BENCH_PAGES_REPEAT times (default 3) after one warm-up request; the median counts. Prints
``RESULT page user=… path=… status=… ms=…`` for the slowest ten and ``RESULT pages …`` as a summary.
Routes that only take POST, or need an id no demo row gives the user, are listed as skipped; pages
answering 4xx are listed (a page closed to the user is timed all the same)."""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from io import StringIO

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import bench_database, result

HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", "2000"))
REPEAT = int(os.environ.get("BENCH_PAGES_REPEAT", "3"))
GOAL_MS = 1000.0
# BENCH_PAGES_ONLY="export,completeness": time only the URLs containing one of these (a re-check).
ONLY = [part for part in os.environ.get("BENCH_PAGES_ONLY", "").split(",") if part]
SLOWEST = 10

# Routes not to GET: sign-out (ends the session), the favicon redirect and open311's catch-all.
SKIP = {"logout", ""}
PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
# Who is signed in, and whether the admin is walked too: the district administrator (every page and
# the admin), a village (community) officer (the pages of the smallest scope) and a district discipline
# inspector (the integrity pages, closed to everyone else).
USERS = (("demo_district_admin", True), ("demo_community_officer", False), ("demo_discipline_inspector", False))


def _routes():
    """``(route, name, view class or None)`` of every URL pattern outside the admin and the API (they
    are walked apart)."""
    from django.urls import URLResolver, get_resolver

    def walk(patterns, prefix: str, namespace: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                route = prefix + str(pattern.pattern)
                if route.startswith(("admin/", "api/")):
                    continue
                inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
                yield from walk(pattern.url_patterns, route, inner or namespace)
            else:
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
                yield prefix + str(pattern.pattern), name, getattr(pattern.callback, "view_class", None)

    yield from walk(get_resolver().url_patterns, "", "")


def _post_only(view_class) -> bool:
    """A class-based view that answers GET with 405 (a move, a form's POST target)."""
    if view_class is None:
        return False
    return "get" not in view_class.http_method_names or not hasattr(view_class, "get")


def _resolvers(user):
    """Route name → a function giving the keyword arguments of that route for ``user``: the first row
    (lowest id) the user may see, or None when the user sees none (the route is then listed as skipped).
    A route with an id and no resolver here is listed as skipped too, so a new one shows up."""
    from civility.models import HonorList
    from governance.models import Division, Household, Person
    from integrity.models import Campaign, CleanUnit, Clue, IntegrityCase
    from residential.models import CreditPeriod
    from security.models import Dispute, LeaderCase
    from security.services.tracking import tracking_token
    from villages.models import Hamlet

    def first(queryset):
        return queryset.order_by("pk").values_list("pk", flat=True).first()

    def scoped(model):
        try:
            return first(model.objects.for_user(user))
        except Exception:  # a model closed to this user (integrity): nothing to open
            return None

    def pk(model):
        return lambda: {"pk": scoped(model)}

    def division():
        top = Division.objects.for_user(user).order_by("depth", "path").first()
        return {"code": top.code if top else None}

    def tracking():
        dispute = Dispute.objects.for_user(user).order_by("pk").first()
        return {"token": tracking_token(dispute=dispute) if dispute else None}

    return {
        "governance:person-detail": pk(Person),
        "governance:household-detail": pk(Household),
        "civility:wallet": lambda: {"household_id": scoped(Household)},
        "civility:board-detail": pk(HonorList),
        "integrity:clue-detail": pk(Clue),
        "integrity:clue-reporter": pk(Clue),
        "integrity:case-detail": pk(IntegrityCase),
        "integrity:campaign-detail": pk(Campaign),
        "integrity:campaign-funnel-export": pk(Campaign),
        "integrity:unit-evaluate": pk(CleanUnit),
        "residential:credit-period": pk(CreditPeriod),
        "residential:credit-evaluate": pk(CreditPeriod),
        "security:dispute-detail": pk(Dispute),
        "security:dispute-receipt": pk(Dispute),
        "security:agreement-print": lambda: {
            "pk": first(Dispute.objects.for_user(user).filter(agreement__isnull=False))
        },
        "security:leader-case-detail": pk(LeaderCase),
        "tracking:public": tracking,
        "villages:hamlet-detail": pk(Hamlet),
        "villages:meeting-create": pk(Hamlet),
        "villages:households-assign": pk(Hamlet),
        "dashboard:division": division,
        "dashboard:export": division,
    }


def _open311_urls(user) -> list[str]:
    """The GeoReport pages, called as another system does: with an API key (made here, district-wide)."""
    from django.urls import reverse

    from governance.models import Division, Role
    from governance.services import api_key_create
    from security.open311 import mapping

    top = Division.objects.for_user(user).order_by("depth", "path").first()
    _key, raw = api_key_create(name=f"bench-{user.pk}", role=Role.API_CLIENT, division=top)
    number = mapping.request_queryset(_key.user).values_list("number", flat=True).first()
    code = mapping.services()[0]["service_code"]
    urls = [
        reverse("open311:services", kwargs={"fmt": "json"}),
        reverse("open311:service", kwargs={"code": code, "fmt": "json"}),
        reverse("open311:requests", kwargs={"fmt": "json"}),
    ]
    if number:
        urls.append(reverse("open311:request", kwargs={"number": number, "fmt": "json"}))
    return [f"{url}?api_key={raw}" for url in urls]


def _page_urls(user, *, open311: bool) -> tuple[list[str], list[str]]:
    """The officers' pages and dashboard for ``user``: URLs with real ids, and the routes skipped (POST
    only, or no row this user may see)."""
    from django.urls import reverse

    from civility.models import BanquetDeclaration

    resolvers = _resolvers(user)
    urls, skipped = [], []
    for route, name, view_class in _routes():
        if name in SKIP:
            continue
        if _post_only(view_class):
            skipped.append(f"{name} (POST only)")
            continue
        if name.startswith("open311:"):
            continue  # below, with an API key
        if not PARAM.findall(route):
            url = reverse(name)
            if name == "civility:declaration-check":
                declaration = BanquetDeclaration.objects.for_user(user).order_by("pk").first()
                household = declaration.household_id if declaration else resolvers["civility:wallet"]()["household_id"]
                url += f"?household={household}&tables=10&days=1&gift_money=100"
            urls.append(url)
            continue
        kwargs = resolvers[name]() if name in resolvers else None
        if not kwargs or any(value is None for value in kwargs.values()):
            skipped.append(f"{name} ({'no row in scope' if kwargs else 'no resolver'})")
            continue
        urls.append(reverse(name, kwargs=kwargs))
    if open311:
        urls += _open311_urls(user)
    return urls, skipped


def _admin_urls() -> list[str]:
    """The admin's index, and for every registered model its changelist, add form and the change form
    of its first row."""
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    urls = [reverse("admin:index")]
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
        info = model._meta.app_label, model._meta.model_name
        for view in ("changelist", "add"):
            try:
                urls.append(reverse("admin:{}_{}_{}".format(*info, view)))
            except NoReverseMatch:
                continue
        pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        if pk is not None:
            try:
                urls.append(reverse("admin:{}_{}_change".format(*info), args=[pk]))
            except NoReverseMatch:
                continue
    return urls


def _signed_in(client, user):
    """``client`` signed in as ``user``, with the second factor passed when the user needs one (a
    district admin without it is sent to the authenticator page by every URL, and nothing would be
    measured but that page): a confirmed authenticator in the session, as after a right code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from governance.second_factor import TOTP_DEVICE_NAME, second_factor_required

    client.force_login(user)
    if second_factor_required(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _time(client, url: str) -> tuple[int, float]:
    status = client.get(url).status_code  # warm-up: templates, caches, connections
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return status, times[len(times) // 2]


def main() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings

    from governance.models import User

    with bench_database(), override_settings(ALLOWED_HOSTS=["testserver"]):
        started = time.perf_counter()
        call_command("seed_demo", households=HOUSEHOLDS, stdout=StringIO())
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"  (demo seeded with {HOUSEHOLDS} households in {time.perf_counter() - started:.0f} s)", flush=True)
        measured: list[tuple[float, str, str, int]] = []
        logging.disable(logging.WARNING)  # the pages a user may not open log a line each: not what is measured
        for username, with_admin in USERS:
            user = User.objects.get(username=username)
            client = _signed_in(Client(), user)
            urls, skipped = _page_urls(user, open311=with_admin)
            if with_admin:
                urls += _admin_urls()
            if ONLY:
                urls = [url for url in urls if any(part in url for part in ONLY)]
            for url in urls:
                status, ms = _time(client, url)
                measured.append((ms, username, url, status))
            print(f"  {username}: {len(urls)} pages timed; skipped: {', '.join(skipped) or 'none'}", flush=True)
            refused = [f"{url} ({status})" for _ms, who, url, status in measured if who == username and status >= 400]
            if refused:
                print(f"  {username}: answered 4xx/5xx (timed all the same): {', '.join(refused)}", flush=True)
            errors = [(url, status) for _ms, who, url, status in measured if who == username and status >= 500]
            for url, status in errors:
                print(f"  SERVER ERROR {status} {url}", flush=True)

        logging.disable(logging.NOTSET)
        measured.sort(reverse=True)
        print(f"{'ms':>8}  {'status':>6}  {'user':<24} path")
        for ms, username, url, status in measured[:SLOWEST]:
            print(f"{ms:>8.0f}  {status:>6}  {username:<24} {url}")
            result("page", user=username, path=url, status=status, ms=ms)
        over = [row for row in measured if row[0] > GOAL_MS]
        result(
            "pages",
            count=len(measured),
            over_1s=len(over),
            max_ms=measured[0][0] if measured else 0.0,
            median_ms=measured[len(measured) // 2][0] if measured else 0.0,
            server_errors=sum(1 for row in measured if row[3] >= 500),
        )
        print(f"goal: every page under {GOAL_MS:.0f} ms; {len(over)} of {len(measured)} over")


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings.local")
    django.setup()
    main()
