"""Import point for every app's job handlers (so the runner knows them all)."""

import microcredit.apps.households.jobs  # noqa: F401  registry_import
import microcredit.apps.monitoring.jobs  # noqa: F401  daily_close
