"""Run every ``bench/bench_*.py``; each has ``main()`` that prints what it measured.

Benchmarks use their own database (``<db>_bench``) on the configured server, so they never touch
the demo or test data. Speed goals live here, not in timed tests."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings.local")


def main() -> None:
    import django

    django.setup()
    files = sorted((ROOT / "bench").glob("bench_*.py"))
    only = sys.argv[1:]
    for path in files:
        if only and path.stem not in only:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {path.stem}")
        module.main()


if __name__ == "__main__":
    main()
