"""The residential admin, in Chinese and scoped like every admin of the portal. A published 红黑榜 is
read-only here (and refused by the database as well)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from governance.admin import ScopedAdminMixin, ScopedChoicesMixin, ScopedImportExportAdmin
from governance.models import Post
from residential.choices import EvaluationStatus
from residential.models import (
    BuildingCouncilMeeting,
    CommitteeRectification,
    Compound,
    CreditEvaluation,
    CreditPeriod,
    CreditScore,
    EnforcementVisit,
    MeetingParticipant,
    MeetingResolution,
    OwnersCommittee,
    Petition,
    PropertyCompany,
    PropertyContract,
    RedBlackEntry,
    RedBlackList,
    ScoringItem,
)
from residential.resources import CompoundResource, PropertyCompanyResource
from residential.services import (
    credit_evaluation_publish,
    meeting_record,
    meeting_update,
    red_black_list_draft,
    red_black_list_publish,
)


class PropertyContractInline(ScopedChoicesMixin, admin.TabularInline):
    model = PropertyContract
    autocomplete_fields = ("company",)
    extra = 0

    def get_queryset(self, request):
        # Each row's title (its compound and company) from the rows' own query, not two more per row.
        return super().get_queryset(request).select_related("compound__division", "company")


class OwnersCommitteeInline(ScopedChoicesMixin, admin.TabularInline):
    model = OwnersCommittee
    fields = ("organization", "term_start", "term_end")
    readonly_fields = ("organization",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # made by the owners'-committee page, which also makes its organisation


@admin.register(Compound)
class CompoundAdmin(ScopedImportExportAdmin):
    resource_classes = [CompoundResource]
    list_display = ("__str__", "community_name", "address", "joined_on", "party_branch")
    list_filter = ("joined_on",)
    list_select_related = ("division__parent", "party_branch")
    search_fields = ("division__name", "division__code", "address")
    autocomplete_fields = ("division", "party_branch")
    inlines = [PropertyContractInline, OwnersCommitteeInline]

    @admin.display(description=_("社区"), ordering="division__parent__name")
    def community_name(self, compound):
        return compound.division.parent.name if compound.division.parent_id else ""


@admin.register(PropertyCompany)
class PropertyCompanyAdmin(ScopedImportExportAdmin):
    resource_classes = [PropertyCompanyResource]
    list_display = ("name", "uscc", "contact_person", "division")
    list_select_related = ("division",)
    search_fields = ("name", "=uscc")
    autocomplete_fields = ("division",)
    inlines = [PropertyContractInline]


@admin.register(PropertyContract)
class PropertyContractAdmin(ScopedAdminMixin, admin.ModelAdmin):
    search_fields = ("compound__division__name", "company__name")
    list_display = ("compound", "company", "start_date", "end_date")
    list_select_related = ("compound__division", "company")
    autocomplete_fields = ("compound", "company")


class CommitteeRectificationInline(ScopedChoicesMixin, admin.TabularInline):
    model = CommitteeRectification
    extra = 0


@admin.register(OwnersCommittee)
class OwnersCommitteeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Compliance figures come from one annotated query for the whole changelist."""

    list_display = (
        "__str__",
        "compound",
        "term_end",
        "member_count",
        "party_share_display",
        "cross_in_branch",
        "branch_in_committee",
        "term_expired_display",
    )
    list_select_related = ("organization", "compound__division")
    search_fields = ("organization__name", "compound__division__name")
    autocomplete_fields = ("compound", "organization")
    readonly_fields = ("members",)
    inlines = [CommitteeRectificationInline]

    def has_add_permission(self, request):
        return False  # made by the owners'-committee page (``committee_create``), with its organisation

    def get_queryset(self, request):
        return super().get_queryset(request).with_compliance()

    @admin.display(description=_("委员数"), ordering="member_count")
    def member_count(self, committee):
        return committee.member_count

    @admin.display(description=_("党员占比"), ordering="party_share")
    def party_share_display(self, committee):
        mark = "" if committee.party_rule_met else str(_("（不达标）"))
        return f"{committee.party_share:.1f}%{mark}"

    @admin.display(description=_("委员兼任支部"))
    def cross_in_branch(self, committee):
        return committee.cross_in_branch

    @admin.display(description=_("支部兼任委员"))
    def branch_in_committee(self, committee):
        return committee.branch_in_committee

    @admin.display(description=_("任期届满"), boolean=True)
    def term_expired_display(self, committee):
        return committee.term_expired

    @admin.display(description=_("委员"))
    def members(self, committee):
        posts = Post.objects.current().filter(organization_id=committee.organization_id).select_related("person")
        return (
            "、".join(f"{p.person.name}（{p.title}，{p.person.get_political_status_display()}）" for p in posts) or "—"
        )


@admin.register(ScoringItem)
class ScoringItemAdmin(ScopedAdminMixin, admin.ModelAdmin):
    search_fields = ("name", "description")
    list_display = ("name", "max_score", "sort_order", "is_active", "division")
    list_editable = ("max_score", "sort_order", "is_active")
    list_select_related = ("division",)
    autocomplete_fields = ("division",)


@admin.register(CreditPeriod)
class CreditPeriodAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "start_date", "end_date", "petition_penalty", "petition_penalty_cap", "grade_a_min")
    list_select_related = ("division",)
    search_fields = ("name",)
    autocomplete_fields = ("division",)
    actions = ["make_draft_list"]

    @admin.action(description=_("生成（或重新生成）红黑榜草稿"), permissions=["change"])
    def make_draft_list(self, request, queryset):
        for period in queryset:
            try:
                red_black_list_draft(period=period)
            except ValidationError as error:
                self.message_user(request, f"{period}：{'；'.join(error.messages)}", messages.ERROR)


class CreditScoreInline(ScopedChoicesMixin, admin.TabularInline):
    model = CreditScore
    fields = ("item", "score")
    readonly_fields = ("item", "score")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CreditEvaluation)
class CreditEvaluationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Evaluations are scored through the pages, the API or the scoring service (which checks every
    item's range and applies the petition rule); here a draft is read, annotated and published (the
    action calls ``credit_evaluation_publish``); its status is read-only, a published one frozen."""

    list_display = ("company", "period", "total", "grade", "petition_count", "evaluator", "status")
    list_filter = ("status", "grade", "period")
    list_select_related = ("company", "period", "evaluator")
    search_fields = ("company__name",)
    fields = (
        "company",
        "period",
        "evaluated_on",
        "evaluator",
        "item_total",
        "petition_count",
        "petition_deduction",
        "total",
        "grade",
        "note",
        "status",
        "published_at",
        "published_by",
    )
    readonly_fields = tuple(name for name in fields if name != "note")
    inlines = [CreditScoreInline]
    actions = ["publish"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status == EvaluationStatus.PUBLISHED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # an evaluation is rescored or published, never deleted

    @admin.action(description=_("发布评价（发布后计入红黑榜，不可修改）"), permissions=["change"])
    def publish(self, request, queryset):
        count = 0
        for evaluation in queryset.filter(status=EvaluationStatus.DRAFT):
            credit_evaluation_publish(evaluation=evaluation, by=request.user)
            count += 1
        self.message_user(request, _("已发布 %(count)d 份评价。") % {"count": count}, messages.SUCCESS)


class RedBlackEntryInline(ScopedChoicesMixin, admin.TabularInline):
    model = RedBlackEntry
    fields = ("side", "rank", "company", "total", "grade")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RedBlackList)
class RedBlackListAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A draft may be retitled and resized (its entries are remade); a published list is read-only."""

    search_fields = ("title", "period__name")

    list_display = ("title", "period", "red_size", "black_size", "published_at")
    list_select_related = ("period",)
    fields = ("period", "title", "red_size", "black_size", "note", "published_at", "published_by")
    readonly_fields = ("period", "published_at", "published_by")
    inlines = [RedBlackEntryInline]
    actions = ["publish"]

    def has_add_permission(self, request):
        return False  # drafts are made from a period (action on 信用评价周期)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        red_black_list_draft(
            red_black_list=obj,
            period=obj.period,
            title=obj.title,
            red_size=obj.red_size,
            black_size=obj.black_size,
            note=obj.note,
        )

    @admin.action(description=_("发布（发布后不可修改）"), permissions=["change"])
    def publish(self, request, queryset):
        count = 0
        for red_black_list in queryset.filter(published_at__isnull=True):
            red_black_list_publish(red_black_list=red_black_list, by=request.user)
            count += 1
        self.message_user(request, _("已发布 %(count)d 个红黑榜。") % {"count": count}, messages.SUCCESS)


class MeetingParticipantInline(ScopedChoicesMixin, admin.TabularInline):
    model = MeetingParticipant
    fields = ("kind", "name")
    extra = 1


class MeetingResolutionInline(ScopedChoicesMixin, admin.TabularInline):
    """Followed up, never deleted; saved through ``meeting_update``."""

    model = MeetingResolution
    fields = ("content", "owner_kind", "owner", "deadline", "status", "follow_up", "done_on")
    extra = 1
    can_delete = False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BuildingCouncilMeeting)
class BuildingCouncilMeetingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """楼宇会: recorded through ``meeting_record`` (the recorder is whoever records it here) and changed,
    participants and resolutions included, through ``meeting_update``."""

    list_display = ("compound", "held_on", "place")
    list_select_related = ("compound__division",)
    search_fields = ("compound__division__name", "topics")
    autocomplete_fields = ("compound",)
    readonly_fields = ("recorded_by",)
    inlines = [MeetingParticipantInline, MeetingResolutionInline]

    MEETING_FIELDS = ("compound", "held_on", "topics", "place")

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in self.MEETING_FIELDS if name in form.cleaned_data}
        if change:
            meeting_update(meeting=obj, fields=fields)
        else:
            saved = meeting_record(**fields, participants=[], resolutions=[], recorded_by=request.user)
            obj.pk, obj._state.adding, obj.recorded_by = saved.pk, False, saved.recorded_by

    def save_related(self, request, form, formsets, change):
        participants, resolutions, participants_changed = [], [], False
        for formset in formsets:
            rows = [f for f in formset.forms if f.cleaned_data]
            if formset.model is MeetingParticipant:
                kept = [f for f in rows if not f.cleaned_data.get("DELETE")]
                participants = [{name: f.cleaned_data[name] for name in ("kind", "name")} for f in kept]
                participants_changed = any(f.has_changed() for f in rows)
            elif formset.model is MeetingResolution:
                resolutions = [
                    {
                        "id": f.instance.pk,
                        **{n: f.cleaned_data[n] for n in MeetingResolutionInline.fields if n in f.cleaned_data},
                    }
                    for f in rows
                    if f.has_changed()
                ]
        meeting_update(
            meeting=BuildingCouncilMeeting.objects.get(pk=form.instance.pk),  # as saved, not the form's copy
            participants=participants if participants_changed else None,
            resolutions=resolutions or None,
        )
        for formset in formsets:  # what the admin's change message reads (``formset.save`` would set it)
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(Petition)
class PetitionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("number", "compound", "received_on", "channel", "category", "against", "company", "status")
    list_filter = ("status", "category", "channel", "against")
    list_select_related = ("compound__division", "company")
    search_fields = ("number", "summary")
    date_hierarchy = "received_on"
    autocomplete_fields = ("compound", "company", "committee")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EnforcementVisit)
class EnforcementVisitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("compound", "department", "visited_on", "problem_count", "rectify_by", "rectified_on")
    list_select_related = ("compound__division",)
    search_fields = ("compound__division__name", "department")
    autocomplete_fields = ("compound",)


@admin.register(CommitteeRectification)
class CommitteeRectificationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    search_fields = ("committee__organization__name", "problem")
    list_display = ("committee", "kind", "found_on", "deadline", "status")
    list_filter = ("kind", "status")
    list_select_related = ("committee__organization",)
    autocomplete_fields = ("committee",)
