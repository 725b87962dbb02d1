from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.names import PersonNameField
from governance.phones import PhoneNumberField
from governance.querysets import ScopedQuerySet
from governance.validators import id_number_birth_date, id_number_sex, validate_id_number


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")
    LEAGUE_MEMBER = "league_member", _("共青团员")
    DEMOCRATIC_PARTY = "democratic_party", _("民主党派")
    MASSES = "masses", _("群众")


PARTY_STATUSES = (PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY)


class PersonQuerySet(ScopedQuerySet):
    def party_members(self) -> PersonQuerySet:
        return self.filter(political_status__in=PARTY_STATUSES)


@audited()
class Person(models.Model):
    """人员 — a resident or any person the portal records (party to a dispute, post holder…)."""

    name = PersonNameField(_("姓名"), max_length=50)
    id_number = models.CharField(
        _("身份证号"),
        max_length=18,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_id_number],
        help_text=_("18位公民身份号码，按 GB 11643 校验。"),
    )
    phone = PhoneNumberField(_("联系电话"))
    political_status = models.CharField(
        _("政治面貌"), max_length=20, choices=PoliticalStatus.choices, default=PoliticalStatus.MASSES
    )
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="people"
    )
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name", "id"]
        permissions = [("view_personal_data", _("可查看完整身份证号和电话"))]
        indexes = [models.Index(fields=["name"], name="person_name")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id_number__isnull=True) | models.Q(id_number__regex=r"^[1-9][0-9]{16}[0-9X]$"),
                name="person_id_number_format",
                violation_error_message=_("身份证号应为18位：17位数字加1位数字或X。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_party_member(self) -> bool:
        return self.political_status in PARTY_STATUSES

    @property
    def birth_date(self) -> datetime.date | None:
        """Derived from the 身份证号 (digits 7–14)."""
        return id_number_birth_date(self.id_number or "")

    @property
    def sex(self) -> str | None:
        """``"M"``/``"F"``, derived from the 身份证号 (17th digit odd for men)."""
        return id_number_sex(self.id_number or "")

    def get_sex_display(self) -> str:
        return {"M": _("男"), "F": _("女")}.get(self.sex or "", "")


@audited()
class Household(models.Model):
    """家庭户 — a household, living in the smallest division unit (屋场, 小区 or, until those exist, 村/社区)."""

    number = models.CharField(_("户号"), max_length=32, unique=True)
    head = models.ForeignKey(
        Person,
        verbose_name=_("户主"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="headed_households",
    )
    address = models.CharField(_("住址"), max_length=200, blank=True)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="households"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    # Its label names the head: a dropdown of households reads them in the same query (choice_queryset).
    choice_select_related = ("head",)

    class Meta:
        verbose_name = _("家庭户")
        verbose_name_plural = _("家庭户")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}（{self.head.name}）" if self.head_id and self.head else self.number


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    GRANDPARENT = "grandparent", _("祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    OTHER = "other", _("其他")


@audited()
class HouseholdMember(models.Model):
    """家庭成员 — a person's membership of a household, with their relation to the head."""

    scope_lookup = "household__division"

    household = models.ForeignKey(Household, verbose_name=_("家庭户"), on_delete=models.CASCADE, related_name="members")
    person = models.OneToOneField(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="household_membership"
    )
    relation = models.CharField(_("与户主关系"), max_length=20, choices=Relation.choices)

    objects = ScopedQuerySet.as_manager()
    choice_select_related = ("person",)  # read by __str__: one query for a whole dropdown

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(relation="head"),
                name="household_one_head",
                violation_error_message=_("一户只能有一名户主。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_relation_display()}"
