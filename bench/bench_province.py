"""Scope on a province-size division tree (issue 18, item 1): is a scoped read constant in the size of
the tree?

In one run, on a private database:

1. a district-only tree, as a district deployment has it: 娄星区 431302 as the root → 16 townships →
   15 villages each → 14 屋场/小区/网格 each (3 601 divisions); a village officer, a district leader and
   the district's administrator; measure;
2. the rest of a Hunan-size province around it, set-based SQL with the triggers off: 湖南 43 → 14 cities
   → 122 districts → 1 952 townships → 29 280 villages → 409 920 leaves (≈ 440 000 divisions; Hunan has
   14 / 122 / ~1 900 / ~29 000), with 431302 re-rooted under 娄底 4313 (its paths rewritten); a province
   administrator; measure the same users again.

Measured per user (fastest of 31 runs, ms; ``BENCH_PROVINCE_REPEAT``): the scoped list
(``GET /api/v1/governance/divisions/`` page 1 of 50, ordered by path, a fresh user object each time
so the role lookup is paid), the subtree count (``Division.objects.in_subtree(own division).count()``)
and the permission check (a fresh user's ``Division.objects.for_user(user).filter(pk=…).exists()`` on
a leaf in scope).

Each operation's database work is also counted as the shared buffers its SELECTs touch (``EXPLAIN
(ANALYZE, BUFFERS)``), which the other load on a shared machine does not move.

Prints ``RESULT province_scope tree=province ratio=… buffers_ratio=… divisions=… …``: ``ratio`` is the
largest province/district time ratio over the village officer's and the district leader's three
operations (the same users, the same subtrees, a 120× larger table), ``buffers_ratio`` the same for
buffers. The province administrator is compared with the
district-only tree's administrator (the top user of each deployment): his list and check are expected
constant; his subtree count counts every division of the province, so it grows with the province by
nature (reported, not in ``ratio``).

Environment: ``BENCH_PROVINCE_SCALE`` (default 1.0) shrinks the province for a quick trial (0.1 → ~12
districts). Running at full size takes a few minutes (generation ≈ 1 minute on this machine)."""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import bench_database, result

REPEAT = int(os.environ.get("BENCH_PROVINCE_REPEAT", "31"))


def best_ms(func) -> float:
    """The fastest of ``REPEAT`` runs after a warm-up, in milliseconds. On a shared machine other load only
    ever adds time, so the fastest run is the steadiest estimate of an operation's own cost (a median
    moved by 2× between two runs of the same operation here)."""
    func()
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


TOWNSHIPS_PER_DISTRICT = 16
VILLAGES_PER_TOWNSHIP = 15
LEAVES_PER_VILLAGE = 14
CITIES = 14
DISTRICTS = 122
LEAF_LEVELS = "ARRAY['hamlet','compound','grid']"

# Children under every division of ``parent_level`` whose path starts with ``under`` and is not in
# ``skip`` (a subtree already filled): codes parent code + 3 digits, paths and depths written here
# because the path trigger is off.
CHILDREN_SQL = """
INSERT INTO governance_division (code, name, level, parent_id, path, depth, sort_order, is_active, created_at,
    updated_at)
SELECT p.code || lpad(g::text, 3, '0'), %(name)s || g, {level}, p.id,
       p.path || p.code || lpad(g::text, 3, '0') || '/', p.depth + 1, g, true, now(), now()
FROM governance_division p CROSS JOIN generate_series(1, %(per)s) g
WHERE p.level = %(parent_level)s AND p.path LIKE %(under)s AND p.path NOT LIKE %(skip)s
"""


def _children(cursor, *, parent_level: str, level_sql: str, per: int, name: str, under: str, skip: str) -> None:
    cursor.execute(
        CHILDREN_SQL.format(level=level_sql),
        {"name": name, "per": per, "parent_level": parent_level, "under": under + "%", "skip": skip},
    )


def _below_district(cursor, *, under: str, skip: str) -> None:
    _children(
        cursor,
        parent_level="district",
        level_sql="'township'",
        per=TOWNSHIPS_PER_DISTRICT,
        name="乡镇",
        under=under,
        skip=skip,
    )
    _children(
        cursor,
        parent_level="township",
        level_sql="'village'",
        per=VILLAGES_PER_TOWNSHIP,
        name="村",
        under=under,
        skip=skip,
    )
    _children(
        cursor,
        parent_level="village",
        level_sql=f"({LEAF_LEVELS})[1 + g %% 3]",
        per=LEAVES_PER_VILLAGE,
        name="网格",
        under=under,
        skip=skip,
    )


def district_tree_generate(cursor) -> None:
    """娄星区 431302 as a root and everything below it (the district-only tree)."""
    cursor.execute("SET session_replication_role = replica")
    try:
        cursor.execute(
            "INSERT INTO governance_division (code, name, level, parent_id, path, depth, sort_order, is_active, "
            "created_at, updated_at) VALUES ('431302', '娄星区', 'district', NULL, '431302/', 0, 0, true, now(), now())"
        )
        _below_district(cursor, under="431302/", skip="-")
    finally:
        cursor.execute("SET session_replication_role = DEFAULT")


def province_generate(cursor, *, scale: float) -> None:
    """湖南 43 → cities → districts → … around the existing 431302 subtree, which moves under 娄底 4313."""
    districts = max(1, round(DISTRICTS * scale))
    cursor.execute("SET session_replication_role = replica")
    try:
        cursor.execute(
            "INSERT INTO governance_division (code, name, level, parent_id, path, depth, sort_order, is_active, "
            "created_at, updated_at) VALUES ('43', '湖南省', 'province', NULL, '43/', 0, 0, true, now(), now())"
        )
        cursor.execute(
            """
            INSERT INTO governance_division (code, name, level, parent_id, path, depth, sort_order, is_active,
                created_at, updated_at)
            SELECT '43' || lpad(c::text, 2, '0'), '市' || c, 'city', p.id,
                   '43/43' || lpad(c::text, 2, '0') || '/', 1, c, true, now(), now()
            FROM governance_division p CROSS JOIN generate_series(1, %(cities)s) c WHERE p.code = '43'
            """,
            {"cities": CITIES},
        )
        # Districts k = 0 … n-1 spread over the cities in turn: city 1 + k % 14, number 1 + k / 14 (01…09).
        # 431302 already exists: it is skipped here and re-rooted below.
        cursor.execute(
            """
            INSERT INTO governance_division (code, name, level, parent_id, path, depth, sort_order, is_active,
                created_at, updated_at)
            SELECT p.code || lpad((1 + k / %(cities)s)::text, 2, '0'), '区县' || k, 'district', p.id,
                   p.path || p.code || lpad((1 + k / %(cities)s)::text, 2, '0') || '/', 2, k, true, now(), now()
            FROM generate_series(0, %(districts)s - 1) k
            JOIN governance_division p ON p.code = '43' || lpad((1 + k %% %(cities)s)::text, 2, '0')
            WHERE p.code || lpad((1 + k / %(cities)s)::text, 2, '0') <> '431302'
            """,
            {"cities": CITIES, "districts": districts},
        )
        cursor.execute(
            "UPDATE governance_division SET parent_id = (SELECT id FROM governance_division WHERE code = '4313') "
            "WHERE code = '431302'"
        )
        cursor.execute(
            "UPDATE governance_division SET path = '43/4313/' || path, depth = depth + 2 WHERE path LIKE '431302/%%'"
        )
        _below_district(cursor, under="43/", skip="43/4313/431302/%")
    finally:
        cursor.execute("SET session_replication_role = DEFAULT")


def buffers(func) -> int:
    """The shared buffers (8 kB pages, hit or read) PostgreSQL touches for the SELECTs ``func`` runs, by
    ``EXPLAIN (ANALYZE, BUFFERS)`` of each: a measure of the database's work that other load on the
    machine does not move."""
    import json

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        func()
    total = 0
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + query["sql"])
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            total += plan[0]["Plan"]["Shared Hit Blocks"] + plan[0]["Plan"]["Shared Read Blocks"]
    return total


def _measure(users: dict, targets: dict) -> dict[str, dict[str, float]]:
    from rest_framework.test import APIClient

    from governance.models import Division, User

    out: dict[str, dict[str, float]] = {}
    for key, user in users.items():
        client = APIClient()
        own = user.role_assignments.get().division

        def listing(client=client, pk=user.pk):
            client.force_authenticate(User.objects.get(pk=pk))
            response = client.get("/api/v1/governance/divisions/", {"ordering": "path"})
            assert response.status_code == 200, response.status_code

        def check(pk=user.pk, target=targets[key]):
            assert Division.objects.for_user(User.objects.get(pk=pk)).filter(pk=target).exists()

        def count(own=own):
            Division.objects.in_subtree(own).count()

        out[key] = {
            "list": best_ms(listing),
            "count": best_ms(count),
            "check": best_ms(check),
            "list_buffers": buffers(listing),
            "count_buffers": buffers(count),
            "check_buffers": buffers(check),
        }
        print(
            f"  {key:16} list {out[key]['list']:7.1f} ms ({out[key]['list_buffers']:.0f} buffers)   "
            f"subtree count {out[key]['count']:7.1f} ms ({out[key]['count_buffers']:.0f})   "
            f"permission check {out[key]['check']:6.1f} ms ({out[key]['check_buffers']:.0f})",
            flush=True,
        )
    return out


def main() -> None:
    from django.db import connection
    from django.test import override_settings

    from governance.models import Division
    from governance.services import role_grant

    scale = float(os.environ.get("BENCH_PROVINCE_SCALE", "1.0"))
    throttle = {"anon": "100000/min", "user": "100000/min"}
    from django.conf import settings

    rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": throttle}
    with bench_database(), override_settings(ALLOWED_HOSTS=["testserver"], REST_FRAMEWORK=rest):
        with connection.cursor() as cursor:
            district_tree_generate(cursor)
            cursor.execute("ANALYZE governance_division")
        village = Division.objects.get(code="431302001001")
        users = {
            "village_officer": role_grant(username="b_village", role="community_officer", division=village),
            "district_leader": role_grant(
                username="b_leader", role="leader", division=Division.objects.get(code="431302")
            ),
            "top_admin": role_grant(
                username="b_district_admin", role="district_admin", division=Division.objects.get(code="431302")
            ),
        }
        leaf = Division.objects.get(code="431302016015014").pk
        targets = {
            "village_officer": Division.objects.get(code="431302001001014").pk,
            "district_leader": leaf,
            "top_admin": leaf,
        }
        district_count = Division.objects.count()
        print(f"district-only tree: {district_count} divisions", flush=True)
        district = _measure(users, targets)

        started = time.perf_counter()
        with connection.cursor() as cursor:
            province_generate(cursor, scale=scale)
        generate_s = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE governance_division")
        province_count = Division.objects.count()
        leaves = Division.objects.filter(level__in=["hamlet", "compound", "grid"]).count()
        print(f"province tree: {province_count} divisions ({leaves} leaves), generated in {generate_s:.1f} s")
        province_admin = role_grant(
            username="b_province_admin", role="district_admin", division=Division.objects.get(code="43")
        )
        users["top_admin"] = province_admin
        far_leaf = Division.objects.filter(level="grid").order_by("-path").values_list("pk", flat=True)[0]
        targets["top_admin"] = far_leaf
        province = _measure(users, targets)

        ratios = {
            f"{user}_{op}": province[user][op] / max(district[user][op], 0.001)
            for user in ("village_officer", "district_leader")
            for op in ("list", "count", "check")
        }
        admin = {
            op: province["top_admin"][op] / max(district["top_admin"][op], 0.001) for op in ("list", "count", "check")
        }
        buffer_ratios = {
            f"{user}_{op}": province[user][f"{op}_buffers"] / max(district[user][f"{op}_buffers"], 1)
            for user in ("village_officer", "district_leader")
            for op in ("list", "count", "check")
        }
        for key, value in ratios.items():
            print(f"  ratio {key}: time {value:.2f}, buffers {buffer_ratios[key]:.2f}")
        print(
            f"  province admin / district admin: list {admin['list']:.2f}, count {admin['count']:.2f}, "
            f"check {admin['check']:.2f}"
        )
        result(
            "province_scope",
            tree="province",
            ratio=max(ratios.values()),
            buffers_ratio=max(buffer_ratios.values()),
            divisions=province_count,
            leaves=leaves,
            district_divisions=district_count,
            generate_s=generate_s,
            village_list_ms=province["village_officer"]["list"],
            village_count_ms=province["village_officer"]["count"],
            village_check_ms=province["village_officer"]["check"],
            leader_list_ms=province["district_leader"]["list"],
            leader_count_ms=province["district_leader"]["count"],
            leader_check_ms=province["district_leader"]["check"],
            province_admin_list_ms=province["top_admin"]["list"],
            province_admin_count_ms=province["top_admin"]["count"],
            province_admin_check_ms=province["top_admin"]["check"],
            admin_list_ratio=admin["list"],
            admin_check_ratio=admin["check"],
            admin_count_ratio=admin["count"],
            province_admin_list_buffers=province["top_admin"]["list_buffers"],
            district_admin_list_buffers=district["top_admin"]["list_buffers"],
        )


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings.local")
    import django

    django.setup()
    main()
