"""Import point for every app's job handlers (so the runner knows them all)."""

import importlib

for _module in ("microcredit.apps.households.jobs", "microcredit.apps.monitoring.jobs"):
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError as exc:
        if exc.name != _module:
            raise
