"""Where apps plug in: named registries that live low, filled by each app's `AppConfig.ready()`.

Every feature app registers what it contributes — job handlers and schedules
(`apps/jobs/runner.py`, `apps/jobs/schedule.py`), dashboard panels and household-page sections
(`apps/core/panels.py`), its API routers and its URL include (here) — in its own `apps.py`, so a
lower layer never imports a higher one to find them (ADR 0003). Registering a name twice raises
`ImproperlyConfigured` at startup: a clash is never resolved by whichever app happened to load last.
Entries are listed in `INSTALLED_APPS` order (then in registration order within an app).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any, Iterator

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Entry:
    name: str
    value: Any
    module: str  # where the registered thing is defined: must belong to an installed app


class Registry:
    """An ordered mapping name → value that refuses a second registration of a name."""

    def __init__(self, what: str):
        self.what = what
        self._entries: dict[str, Entry] = {}

    def register(self, name: str, value: Any, *, module: str | None = None) -> Any:
        """Add `value` under `name`; `module` defaults to the value's own `__module__`."""
        if name in self._entries:
            raise ImproperlyConfigured(
                f"{self.what} {name!r} registered twice: {self._entries[name].module} and {module or value.__module__}")
        self._entries[name] = Entry(name, value, module or value.__module__)
        return value

    def __getitem__(self, name: str) -> Any:
        return self._entries[name].value

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def __setitem__(self, name: str, value: Any) -> None:
        """Replace an entry on purpose (tests that stand in for a handler)."""
        self._entries[name] = Entry(name, value, value.__module__)

    def pop(self, name: str) -> Any:
        return self._entries.pop(name).value

    def entries(self) -> list[Entry]:
        """In INSTALLED_APPS order; entries from outside any app (tests) last."""
        order = {config.name: i for i, config in enumerate(apps.get_app_configs())}

        def rank(entry: Entry) -> int:
            config = apps.get_containing_app_config(entry.module)
            return order[config.name] if config else len(order)

        return sorted(self._entries.values(), key=rank)  # stable: registration order within an app

    def values(self) -> list[Any]:
        return [entry.value for entry in self.entries()]

    def items(self) -> list[tuple[str, Any]]:
        return [(entry.name, entry.value) for entry in self.entries()]

    def __iter__(self) -> Iterator[str]:
        return (entry.name for entry in self.entries())

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True)
class UrlInclude:
    prefix: str
    urls: ModuleType
    namespace: str


API_ROUTERS = Registry("API router")  # prefix → the app's api module (its `router`), web/api.py mounts them
URL_INCLUDES = Registry("URL prefix")  # prefix → UrlInclude, web/urls.py includes them


def register_api(prefix: str, api_module: ModuleType) -> None:
    """Mount `api_module.router` at `/api/v1/<prefix>`."""
    if not hasattr(api_module, "router"):
        raise ImproperlyConfigured(f"{api_module.__name__} has no `router`")
    API_ROUTERS.register(prefix, api_module, module=api_module.__name__)


def register_urls(prefix: str, urls_module: ModuleType, namespace: str) -> None:
    """Include `urls_module` at `/<prefix>` under `namespace`."""
    URL_INCLUDES.register(prefix, UrlInclude(prefix, urls_module, namespace), module=urls_module.__name__)
