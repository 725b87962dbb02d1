"""Officers' pages of issue 16 (phone-friendly, Chinese): the 三防联保 coverage report, the 24-hour duty
roster with its gaps, and the 综治中心's 一地办公 page. Every page reads the user's area
(``?within=<code>`` narrows it; out of scope: 404) and a bad parameter answers 400 with a Chinese error."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Division
from governance.reports import ReportTable, ReportView, township_of, townships_around
from governance.selectors import division_in_scope
from governance.spreadsheets import heading
from security.choices import BodyKind, Category, ProtectionKind
from security.models import DUTY_BODY_KINDS, DutyShift, MediationBody
from security.selectors import duty_gaps, duty_window, protection_coverage, protection_summary

LACK_CHOICES = [("", _("缺任一类")), *ProtectionKind.choices]


class ProtectionForm(forms.Form):
    """``?lack=people|physical|technical``: only the units that lack that kind (empty: lacking any)."""

    lack = forms.ChoiceField(label=_("缺少"), choices=LACK_CHOICES, required=False)


class ProtectionView(ReportView):
    """三防联保 coverage: per village, community and compound of the area whether it has 人防, 物防 and
    技防 (``protection_coverage``), the units lacking one, and per child division the counts and the
    coverage rate (all three ÷ units)."""

    permission_required = "security.view_protectiveresource"
    template_name = "security/protection.html"
    export_filename = "protection"

    def get_context_data(self, **kwargs):
        division = division_in_scope(self.request.user, self.request.GET.get("within"))
        form = ProtectionForm(self.request.GET)
        if not form.is_valid():
            return super().get_context_data(division=division, form=form, gaps=[], children=[], status=400, **kwargs)
        lack = form.cleaned_data["lack"]
        rows = protection_coverage(division=division)
        children = list(Division.objects.filter(parent=division, is_active=True).order_by("sort_order", "code"))
        groups: dict[str, list] = {child.code: [] for child in children}
        for row in rows:
            code = row.path[len(division.path) :].split("/", 1)[0]
            if code in groups:
                groups[code].append(row)
        by_child = [
            {"division": child, **protection_summary(groups[child.code])} for child in children if groups[child.code]
        ]
        gaps = [row for row in rows if (getattr(row, f"has_{lack}") is False if lack else row.missing)]
        townships = townships_around(division)
        for gap in gaps:
            gap.township = township_of(gap.path, townships)
        return super().get_context_data(
            division=division,
            form=form,
            summary=protection_summary(rows),
            children=by_child,
            gaps=gaps,
            **kwargs,
        )

    def export_tables(self, context):
        unit = _("个")
        children = ReportTable(
            _("按区划"),
            [
                _("区划"),
                heading(_("村、社区、小区"), unit),
                heading(_("有人防"), unit),
                heading(_("有物防"), unit),
                heading(_("有技防"), unit),
                heading(_("三防齐全"), unit),
                heading(_("覆盖率"), "%"),
            ],
            [
                [r["division"].name, r["units"], r["people"], r["physical"], r["technical"], r["full"], r["rate"]]
                for r in context["children"]
            ],
        )
        gaps = ReportTable(
            _("三防不全"),
            [_("区划代码"), _("名称"), _("乡镇（街道）"), _("缺少")],
            [[g.code, g.name, g.township.name if g.township else "", "、".join(g.missing)] for g in context["gaps"]],
        )
        return [children, gaps]


# How far from today the roster may be read.
DUTY_MAX_DAYS = 366


class DutyForm(forms.Form):
    """``?day=YYYY-MM-DD``: the roster and gaps from that day's 00:00 (default: from the current hour)."""

    day = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day and abs((day - timezone.localdate()).days) > DUTY_MAX_DAYS:
            raise forms.ValidationError(_("起始日期须在今天前后一年以内。"))
        return day


class DutyView(ReportView):
    """24-hour duty at the police stations' 矛调中心 and the 综治中心 of the area: the roster of the next
    seven days (who, where, from–to) and per body the stretches with nobody on duty (``duty_gaps``)."""

    permission_required = "security.view_dutyshift"
    template_name = "security/duty.html"
    export_filename = "duty"

    def get_context_data(self, **kwargs):
        division = division_in_scope(self.request.user, self.request.GET.get("within"))
        form = DutyForm(self.request.GET)
        if not form.is_valid():
            return super().get_context_data(division=division, form=form, gaps=[], shifts=[], status=400, **kwargs)
        day = form.cleaned_data["day"]
        now = timezone.make_aware(datetime.datetime.combine(day, datetime.time())) if day else timezone.now()
        start, end = duty_window(now)
        bodies = MediationBody.objects.in_subtree(division)
        gaps = duty_gaps(bodies=bodies, now=now)
        shifts = (
            DutyShift.objects.filter(
                body__in=bodies, body__kind__in=DUTY_BODY_KINDS, starts_at__lt=end, ends_at__gt=start
            )
            .select_related("body")
            .order_by("starts_at", "body__name", "pk")
        )
        return super().get_context_data(
            division=division,
            form=form,
            start=start,
            end=end,
            gaps=gaps,
            gap_bodies=sum(1 for row in gaps if row["gaps"]),
            shifts=list(shifts),
            **kwargs,
        )

    def export_tables(self, context):
        roster = ReportTable(
            _("值班表"),
            [_("值班单位"), _("值班人员"), _("所属"), _("值班电话"), _("值班地点"), _("开始时间"), _("结束时间")],
            [
                [
                    s.body.name,
                    s.name,
                    s.post,
                    s.phone,
                    s.place,
                    timezone.localtime(s.starts_at).strftime("%Y-%m-%d %H:%M"),
                    timezone.localtime(s.ends_at).strftime("%Y-%m-%d %H:%M"),
                ]
                for s in context["shifts"]
            ],
        )
        gaps = ReportTable(
            _("值班空档"),
            [_("值班单位"), heading(_("无人值班"), _("小时")), _("空档时段")],
            [
                [
                    row["body"].name,
                    float(row["gap_hours"]),
                    "；".join(f"{a:%m-%d %H:%M}—{b:%m-%d %H:%M}" for a, b in row["gaps"]),
                ]
                for row in context["gaps"]
            ],
        )
        return [roster, gaps]


# The services the district's 综治中心 brings under one roof (the article: 信访接待中心、劳动人事争议仲裁机构及
# 诉讼等服务中心), apart from the departments and the mediation committees.
SERVICE_KINDS = (BodyKind.PETITION, BodyKind.LABOUR_ARBITRATION, BodyKind.JUDICIAL, BodyKind.ADMINISTRATIVE)


class CentreView(ReportView):
    """The 综治中心 of the area (``?within=<code>``; default the user's own division) and the bodies that
    work there (一地办公, ``MediationBody.at_centre``): its service centres, departments (the district's
    25 in the demo) and people's mediation committees (10). Three queries."""

    permission_required = "security.view_mediationbody"
    template_name = "security/centre.html"
    export_filename = "centre"

    def get_context_data(self, **kwargs):
        division = division_in_scope(self.request.user, self.request.GET.get("within"))
        bodies = list(
            MediationBody.objects.filter(division=division, is_active=True)
            .filter(at_centre=True)
            .order_by("kind", "name")
        )
        labels = dict(Category.choices)
        for body in bodies:
            body.speciality_labels = [str(labels.get(code, code)) for code in body.specialities]
        centre = next((b for b in bodies if b.kind == BodyKind.CENTRE), None)
        if centre is None:
            centre = MediationBody.objects.filter(division=division, kind=BodyKind.CENTRE, is_active=True).first()
        return super().get_context_data(
            division=division,
            centre=centre,
            services=[b for b in bodies if b.kind in SERVICE_KINDS],
            departments=[b for b in bodies if b.kind == BodyKind.DEPARTMENT],
            committees=[b for b in bodies if b.kind == BodyKind.PEOPLES_MEDIATION],
            **kwargs,
        )

    def export_tables(self, context):
        rows = [[str(_("服务中心")), b.name, b.phone] for b in context["services"]]
        rows += [[str(_("入驻部门")), b.name, b.phone] for b in context["departments"]]
        rows += [[str(_("人民调解委员会")), b.name, b.phone] for b in context["committees"]]
        return [ReportTable(_("一地办公"), [_("类别"), _("名称"), _("联系电话")], rows)]
