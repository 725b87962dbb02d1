"""One migration operation that creates all of an app's models at once.

Why: Django re-renders a model and every model related to it after each operation of a migration
(``ProjectState.reload_model``). Here every table points at the division tree and the user, and
every register has an audit-event model and three trigger operations, so each of ~700 operations
re-rendered a few hundred models: ``migrate`` on an empty database took 138 s, nearly all of it in
Python. ``CreateModels`` adds the models' states together and renders them once; the tables are
created by the schema editor as ``CreateModel`` would (foreign keys deferred to the end of the
migration, so the order of the models does not matter), and the triggers declared in each model's
``triggers`` option are installed with the table by pgtrigger's schema editor.

The squashed migrations built with it (``<app>/migrations/0001_squashed_*.py``) replace the
migrations they were made from, so a database that has those applied is left as it is.
"""

from __future__ import annotations

from typing import Any

from django.db.migrations.operations.base import Operation
from django.db.migrations.operations.models import CreateModel
from django.db.migrations.state import ModelState, ProjectState
from pgtrigger.migrations import _add_trigger


class CreateModels(Operation):
    """Create the models of one app in one step (state rendered once, tables in one schema editor)."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, models: list[CreateModel]) -> None:
        self.models = models

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [self.models], {})

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        keys = []
        for op in self.models:
            key = (app_label, op.name_lower)
            state.models[key] = ModelState(
                app_label, op.name, list(op.fields), dict(op.options), tuple(op.bases or ()), list(op.managers or [])
            )
            if getattr(state, "_relations", None) is not None:
                state.resolve_model_relations(key)
            keys.append(key)
        state.reload_models(keys, delay=True)

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: ProjectState, to_state: ProjectState):
        alias = schema_editor.connection.alias
        proxies = []
        for op in self.models:
            model = to_state.apps.get_model(app_label, op.name)
            if model._meta.proxy:
                proxies.append(model)
            elif self.allow_migrate_model(alias, model):
                schema_editor.create_model(model)  # with its Meta.triggers (pgtrigger's schema editor)
        # A proxy has no table of its own but may carry triggers (the audited many-to-many links):
        # installed once the tables, the link tables among them, exist.
        for model in proxies:
            if schema_editor.connection.vendor == "postgresql" and self.allow_migrate_model(
                alias, model._meta.concrete_model
            ):
                for trigger in getattr(model._meta, "triggers", []):
                    _add_trigger(schema_editor, model, trigger)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: ProjectState, to_state: ProjectState):
        for op in reversed(self.models):
            model = from_state.apps.get_model(app_label, op.name)
            if self.allow_migrate_model(schema_editor.connection.alias, model):
                schema_editor.delete_model(model)

    def describe(self) -> str:
        return f"Create {len(self.models)} models"

    @property
    def migration_name_fragment(self) -> str:
        return "create_models"
