"""Every table that holds a register's facts is in the audit trail: each concrete model of our apps,
and each many-to-many through table, is tracked by django-pghistory, or says why not with an
``audit_exempt`` reason (event tables, logs that are themselves append-only records…)."""

from __future__ import annotations

from django.apps import apps
from django.db import models

OUR_APPS = {"governance", "security", "villages", "residential", "integrity", "civility"}


def _event_model_of(model) -> bool:
    return hasattr(model, "pgh_tracked_model")


def _tracked() -> set[type[models.Model]]:
    tracked = set()
    for model in apps.get_models(include_auto_created=True):
        if _event_model_of(model):
            tracked.add(model.pgh_tracked_model._meta.concrete_model)
    return tracked


def _ours():
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in OUR_APPS and not model._meta.proxy and not _event_model_of(model):
            yield model


def test_every_model_and_link_table_is_tracked_or_exempt_with_a_reason():
    tracked = _tracked()
    missing = []
    for model in _ours():
        if model in tracked:
            continue
        if model._meta.auto_created:
            missing.append(f"{model._meta.label} (many-to-many links: track a proxy with audited_links())")
            continue
        reason = getattr(model, "audit_exempt", "")
        if not (isinstance(reason, str) and reason.strip()):
            missing.append(f"{model._meta.label} (decorate with @audited() or give audit_exempt = '<reason>')")
    assert not missing, "not in the audit trail:\n" + "\n".join(sorted(missing))


def test_an_exempt_model_is_not_also_tracked():
    tracked = _tracked()
    both = [m._meta.label for m in _ours() if m in tracked and getattr(m, "audit_exempt", "")]
    assert not both
