"""seed_demo's step for issue 16 in the integrity app: 廉洁文化阵地 and the “廉洁文化进……” activities,
and the rules' measured effects on a database seeded before they existed."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from governance.demo import district
from governance.models import Division, Organization, OrganizationKind
from governance.registry import registry
from integrity.choices import CultureSiteKind, CultureTarget
from integrity.models import CultureActivity, CultureSite, UnitRule

# The seed article's figures: 区卫健局 closed 12 loopholes and saved 18.6 % on drugs and consumables.
HEALTH_LOOPHOLES = 12
HEALTH_SAVINGS_PERCENT = Decimal("18.60")
HEALTH_RULE = "《药品耗材电子追溯管理办法》"


def _org(name: str, division: Division) -> Organization:
    org, _created = Organization.objects.get_or_create(division=division, kind=OrganizationKind.DEPARTMENT, name=name)
    return org


# 廉洁文化阵地: (name, kind, township index or None for the district, address)
CULTURE_SITES = [
    ("娄星区廉洁文化主题公园", CultureSiteKind.THEME_PARK, None, "网红景点孙水河风光带"),
    ("乐坪街道家风家训馆", CultureSiteKind.FAMILY_HALL, "乐坪街道", "乐坪街道社区综合服务中心二楼"),
    ("长青街道家风家训馆", CultureSiteKind.FAMILY_HALL, "长青街道", "长青街道社区党群服务中心"),
    ("娄星区廉政教育基地", CultureSiteKind.EDUCATION_BASE, None, "区委党校"),
]
CULTURE_ACTIVITIES = [
    (CultureTarget.ENTERPRISE, "廉洁文化进企业：清廉国企宣讲", 12, 60),
    (CultureTarget.GROUP, "廉洁文化进团体：青年廉洁教育", 8, 45),
    (CultureTarget.FAMILY, "廉洁文化进家庭：家风家训诵读", 15, 30),
    (CultureTarget.PUBLIC_PLACE, "廉洁文化进公共场所：廉洁书画展", 6, 200),
    (CultureTarget.SITE, "参观廉洁文化阵地", 24, 40),
]


@registry.demo("integrity.culture", order=63)
@transaction.atomic
def seed_culture(*, stdout, options) -> None:
    """廉洁文化阵地 (a theme park, two 家风家训馆, an education base) with activities of every target over
    the past year, and the rules' measured effects (区卫健局: 12 loopholes, 18.6 %) on an older database."""
    root = district()
    UnitRule.objects.filter(title=HEALTH_RULE, loopholes_closed=0).update(
        loopholes_closed=HEALTH_LOOPHOLES, savings_percent=HEALTH_SAVINGS_PERCENT
    )
    if CultureSite.objects.exists():
        stdout.write(f"  廉洁文化阵地：已存在（{CultureSite.objects.count()} 个）")
        return
    rng = random.Random(186)
    townships = {d.name: d for d in Division.objects.in_subtree(root).filter(level__in=["township", "subdistrict"])}
    sites = []
    for name, kind, township, address in CULTURE_SITES:
        division = townships.get(township, root) if township else root
        sites.append(
            CultureSite(
                name=name,
                kind=kind,
                division=division,
                organization=_org("区纪委监委", root) if division == root else None,
                address=address,
                opened_on=datetime.date(2023, 6, 1),
            )
        )
    CultureSite.objects.bulk_create(sites)
    today = timezone.localdate()
    activities = []
    divisions = list(townships.values()) or [root]
    for target, title, count, people in CULTURE_ACTIVITIES:
        for i in range(count):
            site = sites[i % len(sites)] if target == CultureTarget.SITE else None
            activities.append(
                CultureActivity(
                    title=title,
                    target=target,
                    division=site.division if site else divisions[i % len(divisions)],
                    site=site,
                    held_on=today - datetime.timedelta(days=rng.randrange(1, 365)),
                    participants=people + rng.randrange(0, people),
                )
            )
    CultureActivity.objects.bulk_create(activities)
    stdout.write(f"  廉洁文化阵地：{len(sites)} 个，活动 {len(activities)} 场")
