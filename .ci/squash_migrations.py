"""Write one squashed migration per project app: all its models in one ``CreateModels`` operation.

Run from the repository root (needs a database only for Django's start-up):
    DATABASE_URL=… python .ci/squash_migrations.py [app …]
Each ``<app>/migrations/0001_squashed_<last>.py`` replaces every migration of the app that exists
now (delete the app's earlier squash first; the migrations it replaced are still on disk). Without
arguments every project app is squashed; name apps to squash only those (the others keep theirs).
A dependency on another app names the latest migration of it depended on, as the replaced files
did, so a squash never depends on another app's squash: governance's migrations depend on
django-otp's, whose first migration depends on the user model (governance's first), so governance
cannot be one squash and stays in two steps (its squash of 0001–0005, then 0006…).
The final state is taken from the migration graph itself (not from the models), so the squash is
exactly what the replaced migrations build; ``makemigrations --check`` proves it (and comparing the
catalogue of a database built each way: columns, constraints, indexes, triggers, functions). Data
migrations of the replaced files only rewrite rows that exist (phone numbers, names, the holiday
calendar's move, reporter identities sealed, specialities as codes, returns marked complete, police
room staff and dissuasion kinds), so on an empty database they have nothing to do and are left out.
Once every deployed database has the squash applied, the replaced files can be deleted.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings.local")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.migrations.loader import MigrationLoader  # noqa: E402
from django.db.migrations.operations.models import CreateModel  # noqa: E402
from django.db.migrations.writer import OperationWriter  # noqa: E402

APPS = ["governance", "residential", "villages", "security", "integrity", "civility"]

HEADER = """# Squashed by .ci/squash_migrations.py: every model of the app created in one operation
# (governance.migration_ops.CreateModels, rendered once instead of once per operation), triggers
# installed with their tables. Replaces the migrations listed in ``replaces``.
"""


def main() -> None:
    loader = MigrationLoader(connection, replace_migrations=False)
    state = loader.project_state()
    chosen = sys.argv[1:] or APPS
    unknown = set(chosen) - set(APPS)
    if unknown:
        sys.exit(f"not a project app: {', '.join(sorted(unknown))}")
    for app in chosen:
        names = sorted(name for (label, name) in loader.disk_migrations if label == app)
        if any(name.startswith("0001_squashed") for name in names):
            sys.exit(f"{app} already has a squashed migration; delete it first")
        leaves = loader.graph.leaf_nodes(app)
        external: set[tuple[str, str]] = set()
        latest: dict[str, str] = {}  # project app → the latest of its migrations depended on
        for name in names:
            for dep in loader.disk_migrations[app, name].dependencies:
                if dep[0] != app and dep[0] in APPS:
                    # a numbered migration over "__first__" (which sorts after the digits)
                    latest[dep[0]] = max(latest.get(dep[0], dep[1]), dep[1], key=lambda n: (n[0].isdigit(), n))
                elif dep[0] != app:
                    external.add(tuple(dep))
        external |= set(latest.items())
        models = sorted(key[1] for key in state.models if key[0] == app)
        imports: set[str] = {"from django.db import migrations", "import governance.migration_ops"}
        ops_text = []
        for model_name in models:
            ms = state.models[app, model_name]
            op = CreateModel(
                name=ms.name,
                fields=list(ms.fields.items()),
                options=dict(ms.options),
                bases=ms.bases,
                managers=ms.managers,
            )
            text, op_imports = OperationWriter(op, indentation=3).serialize()
            imports |= op_imports
            ops_text.append(text)
        deps = [f"        ({label!r}, {name!r})," for label, name in sorted(external)]
        replaces = "\n".join(f"        ({app!r}, {name!r})," for name in names)
        body = "\n".join(ops_text)
        target = Path(app) / "migrations" / f"{squashed_name(loader, app)}.py"
        import_lines = sorted(imports, key=lambda line: (line.split()[0] == "from", line))
        target.write_text(
            HEADER
            + "\n".join(import_lines)
            + "\n\n\nclass Migration(migrations.Migration):\n\n    initial = True\n\n"
            + f"    replaces = [\n{replaces}\n    ]\n\n"
            + "    dependencies = [\n"
            + "\n".join(deps)
            + "\n    ]\n\n    operations = [\n        governance.migration_ops.CreateModels(\n            [\n"
            + body
            + "\n            ]\n        ),\n    ]\n"
        )
        print(f"{target}: {len(models)} models, replaces {len(names)}, leaves {leaves}")


def squashed_name(loader: MigrationLoader, app: str) -> str:
    last = sorted(name for (label, name) in loader.disk_migrations if label == app)[-1]
    return f"0001_squashed_{last}"


if __name__ == "__main__":
    main()
