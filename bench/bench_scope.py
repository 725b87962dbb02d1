"""Scoped reads on a district-sized tree: a township officer's person list through the API, and
the subtree count. Goal: a list page answers in well under 100 ms with 20 000 households seeded."""

from __future__ import annotations

import os
import sys
from io import StringIO

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import bench_database, median_ms, result

HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", "20000"))


def main() -> None:
    from django.core.management import call_command
    from django.test import override_settings
    from rest_framework.test import APIClient

    from governance.models import Division, Household, Person, User

    with bench_database(), override_settings(ALLOWED_HOSTS=["testserver"]):
        # Only the core's steps: the other apps' demo data would dominate the set-up time.
        steps = ["governance.divisions", "governance.households", "governance.organizations", "governance.accounts"]
        call_command("seed_demo", households=HOUSEHOLDS, only=steps, stdout=StringIO())
        officer = User.objects.get(username="demo_township_officer")
        township = officer.role_assignments.get().division
        client = APIClient()
        client.force_authenticate(officer)
        print(f"seeded {Household.objects.count()} households, {Person.objects.count()} people")
        in_scope = Person.objects.for_user(officer).count()
        print(f"township officer of {township.name} sees {in_scope} people")
        subtree_ms = median_ms(lambda: Person.objects.in_subtree(township).count())
        print(f"subtree count (Person.in_subtree): {subtree_ms:.1f} ms")
        page_ms = median_ms(lambda: client.get("/api/v1/governance/people/"))
        print(f"API /people/ page 1 (50 rows): {page_ms:.1f} ms")
        district = Division.objects.get(code="431302")
        within_ms = median_ms(lambda: client.get("/api/v1/governance/people/", {"within": district.code}))
        print(
            f"API /people/?within=431302 (a district filter, still limited to the officer's township): "
            f"{within_ms:.1f} ms"
        )
        result("scope_people", in_scope=in_scope, subtree_ms=subtree_ms, page_ms=page_ms, within_ms=within_ms)
