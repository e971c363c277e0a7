"""The registry of demo steps and their order.

A step is ``fn(ctx: DemoContext) -> None``. ``register_step`` records it with an optional
anchor: ``after="households"`` or ``before="users"``; without an anchor it goes at the end.
The order is resolved at run time (``ordered_steps``), so a module may register a step whose
anchor is registered by a module imported later. Registering a name again replaces it
(a module imported twice does not run twice).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

from microcredit.demo.context import DemoContext

StepFn = Callable[[DemoContext], None]


class Step(NamedTuple):
    name: str
    fn: StepFn
    after: str | None = None
    before: str | None = None


STEPS: list[Step] = []
"""Steps in registration order (see ``ordered_steps`` for the run order)."""


def register_step(name: str, fn: StepFn | None = None, *, after: str | None = None,
                  before: str | None = None):
    """Register a step; also usable as a decorator: ``@register_step("loans", after="ratings")``."""
    def add(func: StepFn) -> StepFn:
        step = Step(name, func, after, before)
        names = [s.name for s in STEPS]
        if name in names:
            STEPS[names.index(name)] = step
        else:
            STEPS.append(step)
        return func

    return add(fn) if fn is not None else add


def unregister_step(name: str) -> None:
    STEPS[:] = [s for s in STEPS if s.name != name]


def ordered_steps() -> list[Step]:
    """The run order: unanchored steps in registration order; anchored ones placed right after
    (or before) their anchor, in registration order.

    Raises:
        KeyError: a step's anchor is not registered.
    """
    order: list[Step] = [s for s in STEPS if s.after is None and s.before is None]
    pending = [s for s in STEPS if s.after is not None or s.before is not None]
    while pending:
        progressed = False
        for step in list(pending):
            names = [s.name for s in order]
            anchor = step.after or step.before
            if anchor in names:
                index = names.index(anchor)
                if step.after is not None:
                    # after the anchor and after steps already placed after the same anchor
                    index += 1
                    while index < len(order) and order[index].after == anchor:
                        index += 1
                order.insert(index, step)
                pending.remove(step)
                progressed = True
        if not progressed:
            missing = ", ".join(f"{s.name}→{s.after or s.before}" for s in pending)
            raise KeyError(f"演示数据步骤的锚点不存在：{missing}（已注册：{', '.join(s.name for s in STEPS)}）")
    return order


def step_names() -> list[str]:
    return [s.name for s in ordered_steps()]
