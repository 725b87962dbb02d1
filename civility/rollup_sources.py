"""How civility's period figures roll up (issue 12): 移风易俗 counters and 志愿服务时长 per division and
month, as ``governance.rollups`` reads them. Each source repeats, in SQL, exactly the rows and filters
of the selector it stands for (``civility.selectors.customs_counters`` and ``volunteer_hours``); the
roll-up equality tests (tests/governance/test_rollups_more.py) hold the two to the same figures.

A row's division is the one its scope lookup names (the declaration's household's, the abstaining
person's, the team's station's), so a household, person or station moving to another division marks
the months of its rows in both divisions."""

from __future__ import annotations

from civility.choices import DISSUADED_OUTCOMES, SERVICE_CIRCLE_METRES, BanquetKind, DissuasionKind
from civility.selectors import EARTH_RADIUS_M
from governance.registry import RollupSource, RollupTrigger, registry


def _in(values) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


# 劝阻 (dissuaded or scaled down) and the 无事酒 among them, by the date of the dissuasion.
registry.rollup_source(
    RollupSource(
        key="civility.dissuasions",
        from_sql=(
            "civility_dissuasion t JOIN civility_banquetdeclaration b ON b.id = t.declaration_id "
            "JOIN governance_household h ON h.id = b.household_id"
        ),
        division="h.division_id",
        day_column="t.occurred_on",
        where=f"t.outcome IN {_in(DISSUADED_OUTCOMES)}",
        measures={
            "dissuaded": "count(*)",
            "no_occasion": f"count(*) FILTER (WHERE t.kind = '{DissuasionKind.NO_OCCASION}')",
        },
        triggers=(
            RollupTrigger(
                "civility_dissuasion",
                division="h.division_id",
                day="r.occurred_on",
                joins=(
                    "JOIN civility_banquetdeclaration b ON b.id = r.declaration_id "
                    "JOIN governance_household h ON h.id = b.household_id"
                ),
            ),
            # A declaration moved to another household moves its dissuasion.
            RollupTrigger(
                "civility_banquetdeclaration",
                division="h.division_id",
                day="e.occurred_on",
                joins=(
                    "JOIN civility_dissuasion e ON e.declaration_id = r.id "
                    "JOIN governance_household h ON h.id = r.household_id"
                ),
            ),
            RollupTrigger(
                "governance_household",
                division="r.division_id",
                day="e.occurred_on",
                joins=(
                    "JOIN civility_banquetdeclaration b ON b.household_id = r.id "
                    "JOIN civility_dissuasion e ON e.declaration_id = b.id"
                ),
            ),
        ),
    )
)

# 丧事简办: funerals declared simple and not over the caps, by the day held.
registry.rollup_source(
    RollupSource(
        key="civility.simple_funerals",
        from_sql="civility_banquetdeclaration t JOIN governance_household h ON h.id = t.household_id",
        division="h.division_id",
        day_column="t.held_on",
        where=f"t.kind = '{BanquetKind.FUNERAL}' AND t.is_simple AND NOT t.is_flagged",
        measures={"simple_funerals": "count(*)"},
        triggers=(
            RollupTrigger(
                "civility_banquetdeclaration",
                division="h.division_id",
                day="r.held_on",
                joins="JOIN governance_household h ON h.id = r.household_id",
            ),
            RollupTrigger(
                "governance_household",
                division="r.division_id",
                day="b.held_on",
                joins="JOIN civility_banquetdeclaration b ON b.household_id = r.id",
            ),
        ),
    )
)

# 党员干部带头不办酒, by the day recorded, in the person's division.
registry.rollup_source(
    RollupSource(
        key="civility.abstentions",
        from_sql="civility_banquetabstention t JOIN governance_person p ON p.id = t.person_id",
        division="p.division_id",
        day_column="t.occurred_on",
        measures={"abstained": "count(*)"},
        triggers=(
            RollupTrigger(
                "civility_banquetabstention",
                division="p.division_id",
                day="r.occurred_on",
                joins="JOIN governance_person p ON p.id = r.person_id",
            ),
            RollupTrigger(
                "governance_person",
                division="r.division_id",
                day="a.occurred_on",
                joins="JOIN civility_banquetabstention a ON a.person_id = r.id",
            ),
        ),
    )
)

# 志愿服务时长: person-hours (the activity's hours for each participant), by the day held, in the
# division of the team's station. The participants' link, the activity (hours, day, team), the team
# (station) and the station (division) each mark the cells they touch.
_ACTIVITY_TO_DIVISION = (
    "JOIN civility_volunteerteam tm ON tm.id = a.team_id JOIN civility_practicestation s ON s.id = tm.station_id"
)
registry.rollup_source(
    RollupSource(
        key="civility.volunteer_hours",
        from_sql=(
            "civility_serviceactivity_participants l JOIN civility_serviceactivity t ON t.id = l.serviceactivity_id "
            "JOIN civility_volunteerteam tm ON tm.id = t.team_id "
            "JOIN civility_practicestation s ON s.id = tm.station_id"
        ),
        division="s.division_id",
        day_column="t.held_on",
        measures={"person_hours": "COALESCE(sum(t.hours), 0)"},
        triggers=(
            RollupTrigger(
                "civility_serviceactivity_participants",
                division="s.division_id",
                day="a.held_on",
                joins=f"JOIN civility_serviceactivity a ON a.id = r.serviceactivity_id {_ACTIVITY_TO_DIVISION}",
            ),
            RollupTrigger(
                "civility_serviceactivity",
                division="s.division_id",
                day="r.held_on",
                joins=(
                    "JOIN civility_volunteerteam tm ON tm.id = r.team_id "
                    "JOIN civility_practicestation s ON s.id = tm.station_id"
                ),
            ),
            RollupTrigger(
                "civility_volunteerteam",
                division="s.division_id",
                day="a.held_on",
                joins=(
                    "JOIN civility_practicestation s ON s.id = r.station_id "
                    "JOIN civility_serviceactivity a ON a.team_id = r.id"
                ),
            ),
            RollupTrigger(
                "civility_practicestation",
                division="r.division_id",
                day="a.held_on",
                joins=(
                    "JOIN civility_volunteerteam tm ON tm.station_id = r.id "
                    "JOIN civility_serviceactivity a ON a.team_id = tm.id"
                ),
            ),
        ),
    )
)

# 15分钟服务圈覆盖率 (``civility.selectors.service_circle``): each located 屋场/小区 (its own division)
# and whether a located 阵地 of its district lies within ``SERVICE_CIRCLE_METRES`` straight-line, by the
# same haversine as ``distance_m`` (float8, the same libm functions). Rolled up, the rate of any
# division at or below a district equals the selector's; above a district the selector lets a station
# of a neighbouring district serve a place, the roll-up only its own district's (the rule as written).
_HAVERSINE = (
    f"2 * {EARTH_RADIUS_M} * asin(sqrt(power(sin((radians(s.latitude::float8) - radians(pl.latitude::float8)) / 2), 2)"
    " + cos(radians(pl.latitude::float8)) * cos(radians(s.latitude::float8))"
    " * power(sin(radians(s.longitude::float8 - pl.longitude::float8) / 2), 2)))"
)
registry.rollup_source(
    RollupSource(
        key="civility.service_circle",
        from_sql=(
            "(SELECT pl.division_id, EXISTS (SELECT 1 FROM civility_practicestation s "
            "JOIN governance_division sd ON sd.id = s.division_id "
            "WHERE s.latitude IS NOT NULL AND s.longitude IS NOT NULL AND sd.path LIKE dist.path || '%%' "
            f"AND {_HAVERSINE} <= {SERVICE_CIRCLE_METRES}) AS covered "
            "FROM civility_placelocation pl JOIN governance_division pd ON pd.id = pl.division_id "
            "JOIN LATERAL (SELECT COALESCE((SELECT a.path FROM governance_division a WHERE a.level = 'district' "
            "AND pd.path LIKE a.path || '%%' ORDER BY a.depth DESC LIMIT 1), '') AS path) dist ON TRUE) t"
        ),
        measures={"places": "count(*)", "covered": "count(*) FILTER (WHERE t.covered)"},
        triggers=(
            RollupTrigger("civility_placelocation"),
            # A station added, moved or removed: every place of its district.
            RollupTrigger(
                "civility_practicestation",
                division="pl.division_id",
                joins=(
                    "JOIN governance_division sd ON sd.id = r.division_id "
                    "JOIN governance_division a ON a.level = 'district' AND sd.path LIKE a.path || '%' "
                    "JOIN governance_division pd ON pd.path LIKE a.path || '%' "
                    "JOIN civility_placelocation pl ON pl.division_id = pd.id"
                ),
            ),
        ),
    )
)
