"""Explicit state machines: one transition table per machine; anything else is a 409."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from yikatong.core.errors import IllegalTransition


class StateMachine:
    def __init__(self, name: str, transitions: Mapping[tuple[StrEnum, str], StrEnum]):
        self.name = name
        self.transitions = dict(transitions)

    def next_state(self, current: StrEnum | str, action: str) -> StrEnum:
        for (state, act), target in self.transitions.items():
            if act == action and state == current:
                return target
        raise IllegalTransition(
            f"{self.name} in state '{current}' cannot {action}",
            code=f"{self.name}_{current}",
            details={"machine": self.name, "state": str(current), "action": action},
        )

    def allowed_actions(self, current: StrEnum | str) -> list[str]:
        return [act for (state, act) in self.transitions if state == current]
