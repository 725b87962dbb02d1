from __future__ import annotations

import pgtrigger
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.division_codes import (
    ERR_DIVISION_CODE_FORMAT,
    ERR_DIVISION_CODE_PARENT,
    OFFICIAL_CODE_LENGTHS,
    DivisionCodeField,
    division_code_fits_parent,
    official_code_problem,
    validate_division_code,
)
from governance.querysets import ScopedQuerySet, path_ancestors


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    DISTRICT = "district", _("区县")
    TOWNSHIP = "township", _("乡镇")
    SUBDISTRICT = "subdistrict", _("街道")
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")
    HAMLET = "hamlet", _("屋场")
    COMPOUND = "compound", _("小区")
    GRID = "grid", _("网格")


# A child must sit strictly lower than its parent; townships and subdistricts share a rank, etc.
LEVEL_RANK = {
    DivisionLevel.PROVINCE: 0,
    DivisionLevel.CITY: 1,
    DivisionLevel.DISTRICT: 2,
    DivisionLevel.TOWNSHIP: 3,
    DivisionLevel.SUBDISTRICT: 3,
    DivisionLevel.VILLAGE: 4,
    DivisionLevel.COMMUNITY: 4,
    DivisionLevel.HAMLET: 5,
    DivisionLevel.COMPOUND: 5,
    DivisionLevel.GRID: 6,
}

ERR_DIVISION_LEVEL = "division_level_order"
ERR_DIVISION_CYCLE = "division_cycle"

# The materialised path ("431302/431302001/431302001001/") is kept by database triggers, so it
# stays right for the admin, imports, bulk updates and raw SQL alike; moving a node re-paths its
# subtree. A subtree is then one prefix match on an indexed column.
_PATH_SET_SQL = """
DECLARE
    parent_path text;
BEGIN
    IF NEW.parent_id IS NULL THEN
        NEW.path := NEW.code || '/';
    ELSE
        SELECT path INTO parent_path FROM governance_division WHERE id = NEW.parent_id;
        IF TG_OP = 'UPDATE' AND left(parent_path, length(OLD.path)) = OLD.path THEN
            RAISE EXCEPTION 'division % cannot be moved under its own subtree', NEW.code
                USING ERRCODE = 'check_violation';
        END IF;
        NEW.path := parent_path || NEW.code || '/';
    END IF;
    NEW.depth := length(NEW.path) - length(replace(NEW.path, '/', '')) - 1;
    RETURN NEW;
END;
"""

_PATH_CASCADE_SQL = """
BEGIN
    -- Touching parent_id makes each child's BEFORE trigger recompute its path from ours,
    -- and its own AFTER trigger carries the change one level further down.
    UPDATE governance_division SET parent_id = parent_id WHERE parent_id = NEW.id;
    RETURN NULL;
END;
"""


class TriggerKeptField:
    """A column whose value a database trigger writes; Django reads it back with INSERT … RETURNING."""

    db_returning = True


class TriggerKeptCharField(TriggerKeptField, models.CharField):
    pass


class TriggerKeptSmallIntegerField(TriggerKeptField, models.PositiveSmallIntegerField):
    pass


@audited()
class Division(models.Model):
    """行政区划 — one node of the division tree (省 → 市 → 区 → 乡镇/街道 → 村/社区 → 屋场/小区/网格)."""

    scope_lookup = ""

    code = DivisionCodeField(
        _("区划代码"),
        max_length=32,
        unique=True,
        validators=[validate_division_code],
        help_text=_(
            "统计用区划代码（区县6位、乡镇街道9位、村社区12位；12位补零形式如431302100000按431302100保存）"
            "或本平台编码，仅限字母、数字和连字符。"
        ),
    )
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Byte order ("C"): one plain B-tree then serves both a subtree's LIKE 'prefix%' (as a range) and
    # ORDER BY path, so a scoped page reads its rows in order from the index at any tree size (issue 18
    # bench: with a pattern_ops index a province-wide page sorted all 441 289 divisions). Codes and "/"
    # sort the same in every collation that matters here.
    path = TriggerKeptCharField(_("路径"), max_length=512, editable=False, default="", db_collation="C")
    depth = TriggerKeptSmallIntegerField(_("深度"), editable=False, default=0)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="division_path"),
            models.Index(fields=["level", "path"], name="division_level_path"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9A-Za-z-]+$"),
                name="division_code_charset",
                violation_error_message=_("区划代码只能包含字母、数字和连字符。"),
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="division_path_set",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("code", "parent_id"),
                func=_PATH_SET_SQL,
            ),
            pgtrigger.Trigger(
                name="division_path_cascade",
                when=pgtrigger.After,
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__path__df=pgtrigger.F("new__path")),
                func=_PATH_CASCADE_SQL,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """An official level's code in its own digit form (``official_code_problem``), a level below
        its parent's, a code that begins with the parent's, no move under its own subtree. Raises
        ``ValidationError`` with every problem found, keyed by field."""
        errors: dict[str, ValidationError] = {}
        length = official_code_problem(self.code, self.level) if self.code and self.level else None
        if length is not None:
            errors["code"] = ValidationError(
                _(
                    "区划代码“%(code)s”不是有效的%(level)s代码：%(level)s的统计用区划代码是%(length)d位数字"
                    "（不能含字母），见《统计用区划代码》。"
                ),
                code=ERR_DIVISION_CODE_FORMAT,
                params={"code": self.code, "level": self.get_level_display(), "length": length},
            )
        parent = self.parent if self.parent_id is not None else None
        if parent is not None:
            if self.level and LEVEL_RANK[DivisionLevel(parent.level)] >= LEVEL_RANK[DivisionLevel(self.level)]:
                errors["level"] = ValidationError(
                    _("“%(level)s”不能设在“%(parent_level)s”之下。"),
                    code=ERR_DIVISION_LEVEL,
                    params={"level": self.get_level_display(), "parent_level": parent.get_level_display()},
                )
            official = self.level in OFFICIAL_CODE_LENGTHS
            if (
                self.code
                and "code" not in errors
                and not division_code_fits_parent(self.code, parent.code, official=official)
            ):
                errors["code"] = ValidationError(
                    _("区划代码“%(code)s”不在上级“%(parent)s”（%(parent_code)s）之下：下级代码应以上级代码开头。"),
                    code=ERR_DIVISION_CODE_PARENT,
                    params={"code": self.code, "parent": parent.name, "parent_code": parent.code},
                )
            if self.pk and self.path and parent.path.startswith(self.path):
                errors["parent"] = ValidationError(_("不能把区划移到它自己的下级之下。"), code=ERR_DIVISION_CYCLE)
        if errors:
            raise ValidationError(errors)

    def ancestors(self) -> models.QuerySet[Division]:
        """From the root down to the parent, in one query."""
        return Division.objects.filter(path__in=path_ancestors(self.path)[:-1]).order_by("depth")

    def descendants(self, include_self: bool = True) -> models.QuerySet[Division]:
        qs = Division.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def is_within(self, other: Division) -> bool:
        return self.path.startswith(other.path)
