"""Query-string serializers shared by the reports of every app."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from governance.dates import report_date_validate
from governance.models import Division
from governance.selectors import division_in_scope

ERR_PERIOD_ORDER = "period_end_before_start"


class AreaPeriodQuerySerializer(serializers.Serializer):
    """``?within=<division code>&start=YYYY-MM-DD&end=YYYY-MM-DD`` of a report (Asia/Shanghai dates,
    both ends inclusive). ``start`` defaults to 1 January of this year; ``end`` to today
    (``default_end = "today"``) or to 31 December of ``start``'s year (``"year_end"``). An end before
    the start is a 400 naming ``end``.

    ``area(user, roles=None)`` gives the division: ``within`` if it lies in the user's scope, else
    the user's own highest division; a code outside the scope answers 404 (``division_in_scope``)."""

    within = serializers.CharField(required=False, help_text=_("区划代码（含下级）；默认为您的辖区"))
    start = serializers.DateField(
        required=False, validators=[report_date_validate], help_text=_("开始日期（含），默认本年 1 月 1 日")
    )
    end = serializers.DateField(required=False, validators=[report_date_validate], help_text=_("结束日期（含）"))

    default_end = "today"

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        today = timezone.localdate()
        attrs.setdefault("start", datetime.date(today.year, 1, 1))
        if self.default_end == "year_end":
            attrs.setdefault("end", datetime.date(attrs["start"].year, 12, 31))
        else:
            attrs.setdefault("end", today)
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError(
                {"end": serializers.ErrorDetail(_("结束日期不能早于开始日期。"), code=ERR_PERIOD_ORDER)}
            )
        return attrs

    def area(self, user: Any, roles=None) -> Division:
        return division_in_scope(user, self.validated_data.get("within"), roles=roles)


class AreaQuerySerializer(serializers.Serializer):
    """``?within=<division code>`` of a report that has no period; see ``AreaPeriodQuerySerializer``."""

    within = serializers.CharField(required=False, help_text=_("区划代码（含下级）；默认为您的辖区"))

    def area(self, user: Any, roles=None) -> Division:
        return division_in_scope(user, self.validated_data.get("within"), roles=roles)


class ChangeSerializer(serializers.Serializer):
    """A figure this period against the same period a year before (the answer of every ``yoy``
    report): ``change_pct`` is null when there is nothing to compare with."""

    current = serializers.IntegerField()
    previous = serializers.IntegerField()
    change_pct = serializers.FloatField(allow_null=True)
