"""Roll-ups, the read side (``governance.rollups``): the dashboard's figures from subtree, own and day cells
in one query (``RollupReader``)."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from governance.dates import month_end, month_start
from governance.db_router import read_connection
from governance.registry import RATIO, SNAPSHOT, Indicator, RollupSource, registry
from governance.rollups import (
    SNAPSHOT_MONTH,
    _bound,
    _day_expr,
    _from,
    _measures_sql,
    _quote,
    day_cells_from,
)

logger = logging.getLogger("governance.rollups")


# --- read -----------------------------------------------------------------------------------------

Range = tuple[datetime.date, datetime.date]  # inclusive dates


def _split(start: datetime.date, end: datetime.date) -> tuple[list[datetime.date], list[Range]]:
    """A range's whole months (first days) and its partial pieces (at most two)."""
    full: list[datetime.date] = []
    parts: list[Range] = []
    month = month_start(start)
    while month <= end:
        last = month_end(month)
        piece = (max(month, start), min(last, end))
        if piece == (month, last):
            full.append(month)
        else:
            parts.append(piece)
        month = last + datetime.timedelta(days=1)
    return full, parts


Measures = dict[str, list]  # child path (or ``TOTAL``, the whole subtree) → [numerator, denominator]
# The key of a subtree cell's total: not a path (paths end with "/").
TOTAL = "*"


@dataclass
class RollupReader:
    """The measures of the rolled-up indicators in one division's subtree for some ranges, read at once:
    one query for the cells and one for every source's partial months. ``value(indicator, range, child)``
    then answers from memory (``child``: a child division's path; None: the whole subtree)."""

    cells: dict[tuple[str, datetime.date], Measures]
    parts: dict[tuple[str, Range], Measures]
    splits: dict[Range, tuple[list[datetime.date], list[Range]]]

    @classmethod
    def load(cls, *, division_path: str, indicators: Iterable[Indicator], ranges: Iterable[Range]) -> RollupReader:
        """One query for the cells of the ranges' whole months and the day cells of their partial months
        (``DAY_CELL_MONTHS``); one more only for a partial month older than that, read from the base
        tables (all sources in one ``UNION ALL``)."""
        rolled = [i for i in indicators if i.rollup is not None]
        splits = {r: _split(*r) for r in set(ranges)}
        months = sorted({m for full, _ in splits.values() for m in full} | {SNAPSHOT_MONTH})
        pieces = sorted({p for _, parts in splits.values() for p in parts})
        since = day_cells_from()
        from_days = [p for p in pieces if p[0] >= since]
        from_base = [p for p in pieces if p[0] < since]
        # Month to date through each piece's last day, less through the day before its first.
        days = sorted({b for _, b in from_days} | {a - datetime.timedelta(days=1) for a, _ in from_days if a.day > 1})
        child = "left(d.path, length(%s) + strpos(substr(d.path, length(%s) + 1), '/'))"
        cells: dict[tuple[str, datetime.date], Measures] = defaultdict(dict)
        parts: dict[tuple[str, Range], Measures] = defaultdict(dict)
        if not rolled:
            return cls(cells, parts, splits)
        # A read: on a replica when the router sends this request's reads there (raw SQL is not routed).
        from governance.models.rollups import RollupCell

        keys = [i.key for i in rolled]
        like = _like(division_path)
        with read_connection(RollupCell).cursor() as cursor:
            # The subtree cells of the division (key ``TOTAL``) and of its children (their paths), and the
            # own day cells of the subtree grouped by child.
            tree_params = [division_path, TOTAL, division_path, division_path, months, keys]
            day_params = [division_path, division_path, like, keys, days]
            cursor.execute(
                "SELECT FALSE, c.indicator, CASE WHEN d.path = %s THEN %s ELSE d.path END, c.month, c.numerator, "
                "c.denominator FROM governance_division d JOIN governance_rolluptreecell c ON c.division_id = d.id "
                "WHERE (d.path = %s OR d.parent_id = (SELECT id FROM governance_division WHERE path = %s)) "
                "AND c.month = ANY(%s::date[]) AND c.indicator = ANY(%s) "
                f"UNION ALL SELECT TRUE, c.indicator, {child} AS child, c.day, sum(c.numerator), sum(c.denominator) "
                "FROM governance_rollupdaycell c JOIN governance_division d ON d.id = c.division_id "
                "WHERE d.path LIKE %s AND c.indicator = ANY(%s) AND c.day = ANY(%s::date[]) GROUP BY 1, 2, 3, 4",
                [*tree_params, *day_params],
            )
            through: dict[tuple[str, datetime.date], Measures] = defaultdict(dict)
            for is_day, key, child_path, when, num, den in cursor.fetchall():
                (through if is_day else cells)[(key, when)][child_path] = [num, den]
            for piece in from_days:
                _day_cells_piece(piece, rolled, through, parts)
            dated_sources = {i.rollup.source for i in rolled if i.rollup and i.rollup.kind != SNAPSHOT}
            sources = [registry.rollup_sources[key] for key in sorted(dated_sources) if from_base]
            sources = [source for source in sources if source.day_column]
            if sources:
                _partial_months_read(cursor, sources, from_base, division_path, rolled, parts)
        return cls(cells, parts, splits)

    def measures(self, indicator: Indicator, span: Range, child: str | None = None) -> tuple[Any, Any]:
        """The summed numerator and denominator of ``indicator`` over ``span`` in the subtree (or one
        child's subtree)."""
        rollup = indicator.rollup
        assert rollup is not None
        num: Any = 0
        den: Any = 0 if rollup.denominator else None
        found: list[Measures] = []
        if rollup.kind == SNAPSHOT:
            found.append(self.cells.get((indicator.key, SNAPSHOT_MONTH), {}))
        else:
            full, pieces = self.splits[span]
            found.extend(self.cells.get((indicator.key, month), {}) for month in full)
            found.extend(self.parts.get((indicator.key, piece), {}) for piece in pieces)
        for by_child in found:
            if child is not None:
                pairs = [by_child[child]] if child in by_child else []
            elif TOTAL in by_child:
                pairs = [by_child[TOTAL]]
            else:
                pairs = list(by_child.values())
            for pair_num, pair_den in pairs:
                num += pair_num or 0
                if den is not None:
                    den += pair_den or 0
        return num, den

    def value(self, indicator: Indicator, span: Range, child: str | None = None) -> Any:
        """The figure, as ``Indicator.compute`` gives it for the same rows."""
        rollup = indicator.rollup
        assert rollup is not None
        num, den = self.measures(indicator, span, child)
        if rollup.finish is not None:
            return rollup.finish(num, den)
        if rollup.kind == RATIO or rollup.denominator:
            return None if not den else Decimal(num) / Decimal(den)
        return _plain(num)


def _partial_months_read(
    cursor: Any,
    sources: list[RollupSource],
    pieces: list[Range],
    division_path: str,
    rolled: list[Indicator],
    parts: dict[tuple[str, Range], Measures],
) -> None:
    """The measures of every dated source in the partial months (``pieces``) of the subtree, per child,
    in ONE query whatever the number of sources: each source's ``GROUP BY`` (range, child) unpivoted to
    (source, range, child, measure, value) rows and the sources joined by ``UNION ALL``. Fills ``parts``
    (``{(indicator key, piece): {child path: [numerator, denominator]}}``)."""
    child = "left(d.path, length(%s) + strpos(substr(d.path, length(%s) + 1), '/'))"
    values = ", ".join(f"({index}, DATE '{a:%Y-%m-%d}', DATE '{b:%Y-%m-%d}')" for index, (a, b) in enumerate(pieces))
    selects: list[str] = []
    params: list[str] = []
    for source in sources:
        # Each piece's own day range (OR'ed: an index on the day column reads just those days, not the
        # year between this year's partial month and the year before's).
        column = source.day_column
        day_range = " OR ".join(
            f"({column} >= {_bound(source, a)} AND {column} < {_bound(source, b + datetime.timedelta(days=1))})"
            for a, b in _merged(pieces)
        )
        conditions = " AND ".join(f"({c})" for c in (source.where, day_range, "d.path LIKE %s") if c)
        unpivot = ", ".join(f"({_quote(name)}, s.m_{name}::numeric)" for name in source.measures)
        selects.append(
            f"SELECT {_quote(source.key)} AS source, s.i, s.child, x.name, x.value FROM ("
            f"SELECT rg.i, {child} AS child, {_measures_sql(source)} FROM {_from(source)} "
            f"JOIN governance_division d ON d.id = {source.division} "
            f"JOIN (VALUES {values}) AS rg(i, a, b) ON {_day_expr(source)} BETWEEN rg.a AND rg.b "
            f"WHERE {conditions} GROUP BY 1, 2) s CROSS JOIN LATERAL (VALUES {unpivot}) AS x(name, value)"
        )
        params += [division_path, division_path, _like(division_path)]
    cursor.execute(" UNION ALL ".join(selects), params)
    found: dict[tuple[str, int, str], dict[str, Any]] = defaultdict(dict)
    for source_key, index, child_path, name, value in cursor.fetchall():
        found[(source_key, index, child_path)][name] = value
    for (source_key, index, child_path), data in found.items():
        piece = pieces[index]
        for indicator in rolled:
            rollup = indicator.rollup
            if rollup is None or rollup.source != source_key:
                continue
            num = data.get(rollup.numerator) or 0
            den = (data.get(rollup.denominator) or 0) if rollup.denominator else None
            parts[(indicator.key, piece)][child_path] = [num, den]


def _day_cells_piece(
    piece: Range,
    rolled: list[Indicator],
    through: dict[tuple[str, datetime.date], Measures],
    parts: dict[tuple[str, Range], Measures],
) -> None:
    """A partial month's measures from month-to-date day cells: through its last day, less through the
    day before its first (none when it starts on the 1st)."""
    first, last = piece
    before = first - datetime.timedelta(days=1) if first.day > 1 else None
    for indicator in rolled:
        upto = through.get((indicator.key, last), {})
        less = through.get((indicator.key, before), {}) if before else {}
        if not upto and not less:
            continue
        measures: Measures = {}
        for child_path in upto.keys() | less.keys():
            num, den = upto.get(child_path, [0, None])
            less_num, less_den = less.get(child_path, [0, None])
            measures[child_path] = [
                (num or 0) - (less_num or 0),
                None if den is None and less_den is None else (den or 0) - (less_den or 0),
            ]
        parts[(indicator.key, piece)] = measures


def _merged(pieces: list[Range]) -> list[Range]:
    """Sorted inclusive date ranges with the overlapping or adjacent ones joined."""
    merged: list[Range] = []
    for a, b in sorted(pieces):
        if merged and a <= merged[-1][1] + datetime.timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _plain(number: Any) -> Any:
    """A Decimal sum that is a whole number as an int (counts), else as it is."""
    if isinstance(number, Decimal) and number == number.to_integral_value():
        return int(number)
    return number


def _like(path: str) -> str:
    return path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def indicator_rollup_value(indicator: Indicator, *, division: Any, start: datetime.date, end: datetime.date) -> Any:
    """One rolled-up figure for one division and range (tests and the verify command compare it with
    ``indicator.compute``)."""
    reader = RollupReader.load(division_path=division.path, indicators=[indicator], ranges=[(start, end)])
    return reader.value(indicator, (start, end))
