"""Chinese for what the third-party apps show in the admin but never mark for translation.

Strings they do mark are translated in ``governance/locale/zh_Hans`` (LOCALE_PATHS comes first).
What is left are labels built from Python names or stored in the database: an app without a
verbose_name (django-axes shows "Axes"), a column named after a property ("Scheduler"), a field
whose verbose_name is a plain string ("Task Name"), and permission names, which Django stores in
English ("Can add crontab"). Labels are set here, once, when the apps are ready; a verbose_name is
given as ``gettext_lazy`` of the same English text, so the migrations of those apps do not change.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.utils.translation import gettext_lazy as _

# Permission codename prefix → Chinese verb (Django's four default permissions).
_PERMISSION_VERBS = {"add": _("新增"), "change": _("修改"), "delete": _("删除"), "view": _("查看")}


_CJK = re.compile(r"[\u4e00-\u9fff]")


def model_label(model) -> str:
    """The model's Chinese name; for the models that have only an English one, generated ones: the
    audit trail's event tables (``人员（变更记录）``) and the many-to-many link tables
    (``用户—组 关联``), neither of which a person edits."""
    name = str(model._meta.verbose_name)
    if _CJK.search(name):
        return name
    tracked = getattr(model, "pgh_tracked_model", None)
    if tracked is not None:
        return _("%(model)s（变更记录）") % {"model": model_label(tracked)}
    targets = [f.related_model for f in model._meta.concrete_fields if f.is_relation and f.related_model]
    if len(targets) >= 2:
        return _("%(models)s 关联") % {"models": "—".join(model_label(m) for m in targets)}
    return str(_PGHISTORY_NAMES.get(model._meta.label, name))


_PGHISTORY_NAMES = {
    "pghistory.Context": _("变更上下文"),
    "pghistory.Events": _("变更事件"),
    "pghistory.MiddlewareEvents": _("页面操作变更事件"),
}


def _permission_str(permission) -> str:
    """``应用 | 模型 | 可以新增模型`` instead of ``应用 | model | Can add model``."""
    verb, _sep, _rest = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if model is None:
        return f"{permission.content_type} | {permission.name}"
    app = apps.get_app_config(model._meta.app_label).verbose_name
    label = model_label(model)
    if verb in _PERMISSION_VERBS:
        return f"{app} | {label} | " + _("可以%(verb)s%(model)s") % {"verb": _PERMISSION_VERBS[verb], "model": label}
    return f"{app} | {label} | {permission.name}"


def _access_str(record) -> str:
    """django-axes' rows name themselves in English ("Access Log for …"): 用户名 @ 时间."""
    return f"{record.username} @ {record.attempt_time:%Y-%m-%d %H:%M}"


def third_party_labels_translate() -> None:
    """Give the untranslatable labels of django-axes, django-celery-beat and django.contrib.auth their
    Chinese (see the module docstring)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Permission
    from django_celery_beat.admin import PeriodicTaskAdmin
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    apps.get_app_config("axes").verbose_name = _("登录锁定")
    # The same English text, lazily translated: equal to the migration's value, Chinese on screen.
    PeriodicTask._meta.get_field("task").verbose_name = _("Task Name")
    PeriodicTask.scheduler.fget.short_description = _("计划")
    CrontabSchedule.human_readable.fget.short_description = _("执行时间")
    PeriodicTaskAdmin.crontab_translation.short_description = _("执行时间说明")
    Permission.__str__ = _permission_str  # type: ignore[method-assign]
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.__str__ = _access_str
