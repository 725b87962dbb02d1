from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.querysets import ScopedQuerySet
from governance.registry import registry
from governance.validators import validate_uscc


class OrganizationKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("党委")
    PARTY_GENERAL_BRANCH = "party_general_branch", _("党总支")
    PARTY_BRANCH = "party_branch", _("党支部")
    PARTY_GROUP = "party_group", _("党小组")
    VILLAGERS_COMMITTEE = "villagers_committee", _("村民委员会")
    RESIDENTS_COMMITTEE = "residents_committee", _("居民委员会")
    COUNCIL = "council", _("理事会")
    COOPERATIVE = "cooperative", _("合作社")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    MEDIATION_COMMITTEE = "mediation_committee", _("人民调解委员会")
    DEPARTMENT = "department", _("部门")
    VOLUNTEER_TEAM = "volunteer_team", _("志愿服务队")
    OTHER = "other", _("其他")


PARTY_KINDS = (
    OrganizationKind.PARTY_COMMITTEE,
    OrganizationKind.PARTY_GENERAL_BRANCH,
    OrganizationKind.PARTY_BRANCH,
    OrganizationKind.PARTY_GROUP,
)


@audited()
class Organization(models.Model):
    """组织 — a Party organisation, council, cooperative, owners' committee, mediation committee, department…"""

    kind = models.CharField(_("类型"), max_length=32, choices=OrganizationKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="organizations"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, validators=[validate_uscc])
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    is_active = models.BooleanField(_("存续"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["division__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "kind", "name"],
                name="organization_unique_name",
                violation_error_message=_("该区划下已有同类型、同名称的组织。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PostQuerySet(ScopedQuerySet):
    def current(self, on=None) -> PostQuerySet:
        """Posts held on a given date (today by default)."""
        on = on or timezone.localdate()
        return self.filter(Q(start_date__isnull=True) | Q(start_date__lte=on)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on)
        )


@audited()
class Post(models.Model):
    """职务 — who holds which post in which organisation, from when to when."""

    scope_lookup = "organization__division"

    organization = models.ForeignKey(
        Organization, verbose_name=_("组织"), on_delete=models.PROTECT, related_name="posts"
    )
    person = models.ForeignKey(
        "governance.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="posts"
    )
    title = models.CharField(_("职务名称"), max_length=50, help_text=_("如：书记、理事长、主任、委员、成员"))
    is_head = models.BooleanField(_("负责人"), default=False)
    start_date = models.DateField(_("任职起"), null=True, blank=True)
    end_date = models.DateField(_("任职止"), null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("职务")
        verbose_name_plural = _("职务")
        ordering = ["organization", "-is_head", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="post_dates_ordered",
                violation_error_message=_("任职止日期不能早于任职起日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.title} · {self.person}"

    def clean(self) -> None:
        """The organisation kind's own rule for its post holders (``registry.post_rule``), when the
        organisation and the person are both set."""
        super().clean()
        if self.organization_id is None or self.person_id is None:
            return
        rule = registry.post_rules.get(self.organization.kind)
        if rule is not None:
            rule(self)
