"""One write path (issue 13 item 1): the fields of a case, ledger, register or meeting that only a
service may set — a state, who confirmed or published it and when, a figure the service computes.

Each app declares them in one place, ``SERVICE_OWNED_FIELDS`` of its ``services`` module (model
label → field → the service that sets it), registered from its ``AppConfig.ready()`` with
``registry.service_owned(...)``. The core reads the registry, so a new model is covered by one line:

- the admin (``governance.admin.ScopedChoicesMixin``, every model admin and inline) shows the field
  read-only, so a post naming it sets nothing;
- the API (``governance.api.fields.ScopedModelSerializer``, every model serializer) marks the field
  read-only in the schema and answers a write naming it with 400 ``service_owned_field`` on that
  field, writing nothing (not a silent drop);
- tests/governance/test_one_write_path.py walks every admin and every API write serializer of the
  apps and proves both.

A serializer whose creating service takes an owned field itself (a case's clues go to ``case_file``)
lists it in ``allowed_on_create``; an admin likewise in ``service_owned_on_add``.

The integrity app keeps its own registry (``integrity.services.SERVICE_OWNED_FIELDS``, tested by
tests/integrity/test_one_write_path.py); it works the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.registry import registry

ERR_SERVICE_OWNED = "service_owned_field"  # same code as integrity's (``integrity.choices.ERR_SERVICE_OWNED``)


def service_owned(model: type[models.Model] | models.Model | None) -> dict[str, str]:
    """The fields of ``model`` (a class or an instance) that only a service sets, each with the
    service's name: ``{"status": "ranking_publish", …}``; ``{}`` for a model with none."""
    if model is None:
        return {}
    meta = model._meta
    return registry.service_owned_fields.get(f"{meta.app_label}.{meta.model_name}", {})


def service_owned_named(
    model: type[models.Model] | None, data: Mapping | Iterable[str], *, allowed: Iterable[str] = ()
) -> list[str]:
    """The service-owned fields of ``model`` that ``data`` (a mapping, or field names) names,
    leaving out ``allowed`` (owned fields a creating service takes); in declaration order."""
    names = set(data.keys() if isinstance(data, Mapping) else data)
    skip = set(allowed)
    return [name for name in service_owned(model) if name in names and name not in skip]


def service_owned_error(fields: Iterable[str]) -> ValidationError:
    """The refusal of a write naming service-owned ``fields``: one Chinese message per field, code
    ``ERR_SERVICE_OWNED`` (the API answers 400 ``{"errors": {field: [{"code": …}]}}``)."""
    return ValidationError(
        {
            name: ValidationError(
                _("该字段只能通过相应的办理环节（确认、公布、结案、计算等）变更，不能直接填写。"),
                code=ERR_SERVICE_OWNED,
            )
            for name in fields
        }
    )


class ServiceOwnedAdminMixin:
    """For every model admin and inline (through ``governance.admin.ScopedChoicesMixin``): the fields
    only a service sets are read-only — shown, never taken from a post."""

    #: service-owned fields a new row's form may still give: the admin's ``save_model`` hands them to
    #: the creating service
    service_owned_on_add: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        """The admin's own read-only fields plus every service-owned field of its model; a field the
        admin leaves out of its form (``exclude``) stays out."""
        readonly = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        excluded = set(getattr(self, "exclude", None) or ())
        allowed = self.service_owned_on_add if obj is None else ()
        model = getattr(self, "model", None)
        for name in service_owned_named(model, service_owned(model), allowed=allowed):
            if name not in readonly and name not in excluded:
                readonly.append(name)
        return readonly
