"""One parameter's declaration: its default, type, allowed values and meaning.

:class:`Param` is the single place a value is checked: model parameters
(:mod:`model.config`), the US policies' own (:mod:`model.policies`), per-nation
overrides, scenario files, ``--set``, sweep files and the app all validate through it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from model.errors import ParameterError

MAX_ROUNDS = 10_000  # the most rounds a run may play (a round is a year)
DEFAULT_ROUNDS = 100  # rounds a run plays at most unless told (`coalition run`, the app)
DEFAULT_SEED = 42  # the seed of a run unless told (`coalition run`, the app, docs/seminar.md)

# A number as text: plain decimal or exponent notation, ASCII digits, no underscores
# (Python's float() would read "1_0" as 10 and "١٠" as 10).
NUMBER_TEXT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
WHOLE_TEXT = re.compile(r"[+-]?[0-9]+")
BOOL_TEXT = {"true": True, "yes": True, "on": True, "1": True,
             "false": False, "no": False, "off": False, "0": False}


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
    # Why the parameter changes no decision, where the calibration absorbs it (shown by
    # `coalition parameters`; the app offers no control for it). None: it matters.
    absorbed: str | None = None
    # A short plain label with its unit, for a plot's axis ("US commitment (1 = its
    # 2022-24 effort)"); None: the name is shown.
    label: str | None = None

    def axis_label(self) -> str:
        """The label a plot's axis shows for this parameter."""
        return self.label or self.name.replace("_", " ")

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

        if self.choices is not None and value in self.choices:
            return value
        if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "null")):
            if self.nullable:
                return None
            raise bad()
        if self.kind is bool:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in BOOL_TEXT:
                return BOOL_TEXT[value.strip().lower()]
            raise bad()
        if self.kind is str:
            if not isinstance(value, str) or (self.choices is not None and value not in self.choices):
                raise bad()
            return value
        if isinstance(value, bool):
            raise bad()
        if isinstance(value, str):
            if not NUMBER_TEXT.fullmatch(value.strip()):
                raise bad()
            value = float(value)
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


def _shown(value: Any) -> str:
    return "a table" if isinstance(value, dict) else repr(value)


def check_text(value: Any, label: str) -> str:
    """``value`` if it is text; a table or a number where text is expected is an error."""
    if not isinstance(value, str):
        raise ParameterError(f"{label} = {_shown(value)} is not allowed: expected text "
                             "(a quoted string)")
    return value


def check_bool(value: Any, label: str) -> bool:
    """A file's boolean: only ``true`` or ``false`` (unquoted); ``"false"`` is no boolean."""
    if not isinstance(value, bool):
        raise ParameterError(f"{label} = {_shown(value)} is not allowed: expected true or "
                             "false (unquoted)")
    return value


def check_whole(value: Any, label: str, low: int, high: int | None = None,
                limit: str = "") -> int:
    """A whole number in ``low .. high``; ``limit`` says why ``high`` is the limit."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ParameterError(f"{label} = {_shown(value)} is not allowed: expected a whole "
                             f"number at least {low}" + (f" and at most {high:,}" if high else ""))
    if high is not None and value > high:
        raise ParameterError(f"{label} = {value:,} is not allowed: the limit is {high:,}"
                             + (f" ({limit})" if limit else ""))
    return value


def parse_whole(text: str, label: str, low: int, high: int | None = None,
                limit: str = "") -> int:
    """A whole number typed on the command line (ASCII digits, no underscores)."""
    if not WHOLE_TEXT.fullmatch(text.strip()) or int(text) < low:
        raise ParameterError(f"{label} = {text!r} is not allowed: expected a whole number at "
                             f"least {low}" + (f" and at most {high:,}" if high else ""))
    return check_whole(int(text), label, low, high, limit)
