"""Officers' and shop operators' pages (mobile-friendly): batch entry for a 屋场, confirmation of
self-reports, banquet declarations with the cap check as you type, a household's wallet, the
points shop. Rows come from ``for_user``: out of scope is 404."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Case, F, Prefetch, Value, When
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from civility.filtersets import BanquetDeclarationFilterSet
from civility.forms import BanquetDeclarationForm, BatchEntryForm, RedeemForm, UnitForm
from civility.models import BanquetDeclaration, BanquetServiceTeam, PointAccount, PointEntry, RewardItem, Shop
from civility.selectors import households_find, pending_entries
from civility.services import (
    BANQUET_VIOLATION_LABELS,
    IdempotencyConflict,
    RedemptionRequest,
    account_for,
    banquet_check,
    banquet_declare,
    entry_confirm,
    kind_cap_for,
    points_batch_record,
    points_redeem,
    team_table_fee,
    village_rule_for,
)
from governance.forms import form_errors_add
from governance.models import Division, Household
from governance.views import FilteredListView

ENTRY_PAGE = 50


class BatchEntryView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """屋场批量记分: pick a unit (``?unit=<code>``), a rule, tick households, confirm."""

    permission_required = "civility.add_pointentry"
    template_name = "civility/batch_entry.html"

    def get_unit(self, data) -> tuple[UnitForm, Division | None]:
        """The unit picked level by level (or named by ``unit=<code>`` in a link or the hidden input);
        one outside the user's area is not found, like any other address outside it."""
        picker = UnitForm(data, user=self.request.user)
        if not picker["unit"].data:
            return UnitForm(user=self.request.user), None
        if not picker.is_valid():
            raise Http404
        return picker, picker.cleaned_data["unit"]

    def render(self, request, picker, form, unit):
        return render(request, self.template_name, {"picker": picker, "form": form, "unit": unit})

    def get(self, request):
        picker, unit = self.get_unit(request.GET)
        return self.render(request, picker, BatchEntryForm(user=request.user, unit=unit), unit)

    def post(self, request):
        picker, unit = self.get_unit(request.POST)
        if unit is None:
            raise Http404
        form = BatchEntryForm(request.POST, user=request.user, unit=unit)
        if form.is_valid():
            try:
                entries = points_batch_record(
                    households=list(form.cleaned_data["households"]),
                    rule=form.cleaned_data["rule"],
                    occurred_on=form.cleaned_data["occurred_on"],
                    recorded_by=request.user,
                    batch_key=request.POST.get("batch_key") or uuid.uuid4().hex,
                    evidence=form.cleaned_data["evidence"],
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("已为 %(n)s 户记分。") % {"n": len(entries)})
                return redirect(f"{reverse('civility:batch-entry')}?unit={unit.code}")
        return self.render(request, picker, form, unit)


class PendingEntriesView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """村民自报积分的确认与驳回."""

    permission_required = "civility.change_pointentry"

    def get(self, request):
        rows = pending_entries(request.user)[:ENTRY_PAGE]
        return render(request, "civility/pending.html", {"entries": rows})

    def post(self, request):
        entry = get_object_or_404(PointEntry.objects.for_user(request.user), pk=request.POST.get("entry"))
        try:
            entry_confirm(entry=entry, by=request.user, accept=request.POST.get("action") != "reject")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已处理。"))
        return redirect("civility:pending")


class WalletView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """一户的积分钱包: balance and the latest entries."""

    permission_required = "civility.view_pointaccount"

    def get(self, request, household_id: int):
        household = get_object_or_404(
            Household.objects.for_user(request.user).select_related("head", "division"), pk=household_id
        )
        account = PointAccount.objects.filter(household=household).first()
        entries = (
            account.entries.select_related("rule").order_by("-seq")[:ENTRY_PAGE]
            if account
            else PointEntry.objects.none()
        )
        return render(request, "civility/wallet.html", {"household": household, "account": account, "entries": entries})


class DeclarationCreateView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """红白事报备, with the caps of the household's village shown as you type."""

    permission_required = "civility.add_banquetdeclaration"

    def get(self, request):
        return render(request, "civility/declaration_form.html", {"form": BanquetDeclarationForm(user=request.user)})

    def post(self, request):
        form = BanquetDeclarationForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                declaration = banquet_declare(declared_by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                if declaration.is_flagged:
                    labels = "、".join(str(BANQUET_VIOLATION_LABELS[v]) for v in declaration.violations)
                    messages.warning(request, _("已登记，超出村规民约标准：%(v)s，请上门劝导。") % {"v": labels})
                else:
                    messages.success(request, _("已登记，符合村规民约标准。"))
                return redirect("civility:declaration-create")
        return render(request, "civility/declaration_form.html", {"form": form})


class DeclarationListView(FilteredListView):
    """红白事报备 for officers (scoped, filtered, phone-friendly): banquets still to come first, the
    nearest first, then those held, the latest first."""

    model = BanquetDeclaration
    filterset_class = BanquetDeclarationFilterSet
    permission_required = "civility.view_banquetdeclaration"
    template_name = "civility/declaration_list.html"

    def base_queryset(self):
        return super().base_queryset().select_related("household__head", "household__division", "service_team")

    def list_order(self, queryset):
        today = timezone.localdate()
        coming = Case(When(held_on__gte=today, then=Value(0)), default=Value(1))
        # Within the coming ones by date ascending (the past ones all tie on NULL here), then descending.
        next_date = Case(When(held_on__gte=today, then=F("held_on")))
        return queryset.alias(coming=coming, next_date=next_date).order_by(
            "coming", F("next_date").asc(nulls_last=True), "-held_on", "-id"
        )


def _household_pk(value: str | None) -> int:
    """A household id from a query string; anything that is not a whole number finds nothing (404)."""
    return int(value) if value and value.isdigit() else 0


class DeclarationCheckView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The cap check behind the form (JSON): which caps the planned banquet breaks."""

    permission_required = "civility.add_banquetdeclaration"

    def get(self, request):
        household = get_object_or_404(
            Household.objects.for_user(request.user).select_related("division"),
            pk=_household_pk(request.GET.get("household")),
        )
        try:
            tables = int(request.GET.get("tables") or 0)
            days = int(request.GET.get("days") or 1)
            gift = Decimal(request.GET.get("gift_money") or 0)
            per_table = Decimal(request.GET["per_table_cost"]) if request.GET.get("per_table_cost") else None
            if not gift.is_finite() or (per_table is not None and not per_table.is_finite()):
                raise InvalidOperation  # NaN and Infinity are Decimals too
        except (ValueError, InvalidOperation):
            return JsonResponse({"errors": [_("请输入数字。")]}, status=400)
        team = None
        if request.GET.get("service_team"):
            team = get_object_or_404(
                BanquetServiceTeam.objects.for_user(request.user), pk=_household_pk(request.GET["service_team"])
            )
        rule = village_rule_for(household.division)
        kind = request.GET.get("kind", "")
        violations = banquet_check(
            rule=rule,
            kind=kind,
            tables=tables,
            days=days,
            gift_money=gift,
            per_table_cost=per_table,
            kind_cap=kind_cap_for(rule, kind),
            team_fee=team_table_fee(team),
        )
        caps = (
            {"tables": rule.tables_cap, "days": rule.days_cap, "gift_money": str(rule.gift_money_cap)} if rule else None
        )
        return JsonResponse(
            {"caps": caps, "violations": violations, "labels": [str(BANQUET_VIOLATION_LABELS[v]) for v in violations]}
        )


class ShopView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """积分超市: find a household, see its balance, redeem an item."""

    permission_required = "civility.add_redemption"

    def get(self, request):
        q = request.GET.get("q", "").strip()
        households = households_find(queryset=Household.objects.for_user(request.user), q=q)
        selected = None
        if request.GET.get("household"):
            selected = get_object_or_404(
                Household.objects.for_user(request.user).select_related("head"),
                pk=_household_pk(request.GET["household"]),
            )
        shops = (
            Shop.objects.for_user(request.user)
            .filter(is_active=True, operators=request.user)
            .prefetch_related(
                Prefetch("items", queryset=RewardItem.objects.filter(is_active=True).order_by("points_price"))
            )
        )
        return render(
            request,
            "civility/shop.html",
            {
                "q": q,
                "households": households,
                "selected": selected,
                "account": account_for(selected) if selected else None,
                "shops": shops,
                "key": uuid.uuid4().hex,
            },
        )

    def post(self, request):
        household = get_object_or_404(Household.objects.for_user(request.user), pk=request.POST.get("household") or 0)
        form = RedeemForm(request.POST)
        target = f"{reverse('civility:shop')}?household={household.pk}"
        if not form.is_valid():
            messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect(target)
        item = get_object_or_404(
            RewardItem.objects.for_user(request.user).select_related("shop"), pk=form.cleaned_data["item"]
        )
        try:
            redemption, created = points_redeem(
                account=account_for(household),
                shop=item.shop,
                lines=[RedemptionRequest(item, form.cleaned_data["quantity"])],
                operator=request.user,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except IdempotencyConflict:
            messages.error(request, _("该兑换已提交过，请刷新页面后重试。"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            if created:
                messages.success(request, _("兑换成功，扣减 %(p)s 分。") % {"p": redemption.points})
        return redirect(target)
