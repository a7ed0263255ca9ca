"""One parameter's declaration: its default, type, allowed values and meaning.

:class:`Param` is the single place a value is checked: model parameters
(:mod:`model.config`), the US policies' own (:mod:`model.policies`), per-nation
overrides, scenario files, ``--set``, sweep files and the app all validate through it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from model.errors import ParameterError


@dataclass(frozen=True)
class Param:
    """One parameter: its default, type, allowed values and meaning."""

    name: str
    default: Any
    kind: type
    doc: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: tuple[str, ...] | None = None
    nullable: bool = False
    group: str = "model"

    def allowed(self) -> str:
        if self.kind is bool:
            return "true or false"
        if self.choices is not None:
            return "one of " + ", ".join(self.choices)
        kind = "a whole number" if self.kind is int else "a number"
        rng = ""
        if self.low is not None and self.high is not None:
            rng = f" from {self.low:g}{' (exclusive)' if self.low_open else ''} to {self.high:g}"
        elif self.low is not None:
            rng = f" {'above' if self.low_open else 'at least'} {self.low:g}"
        return kind + rng + (" (or none)" if self.nullable else "")

    def validate(self, value: Any, where: str = "") -> Any:
        """Return ``value`` coerced to the parameter's type, or raise ParameterError."""
        label = f"{where}{self.name}"

        def bad(why: str = "") -> ParameterError:
            return ParameterError(f"{label} = {value!r} is not allowed{why}: expected {self.allowed()}")

        if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "null")):
            if self.nullable:
                return None
            raise bad()
        if self.kind is bool:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no", "on", "off", "1", "0"):
                return value.strip().lower() in ("true", "yes", "on", "1")
            raise bad()
        if self.kind is str:
            if not isinstance(value, str) or (self.choices is not None and value not in self.choices):
                raise bad()
            return value
        if isinstance(value, bool):
            raise bad()
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise bad() from None
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise bad()
        if self.kind is int:
            if float(value) != int(value):
                raise bad()
            value = int(value)
        else:
            value = float(value)
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            raise bad(" (out of range)")
        if self.high is not None and value > self.high:
            raise bad(" (out of range)")
        return value
