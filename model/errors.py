"""The errors of bad input: each carries one line naming the field, the value and what
is allowed. The CLI prints that line and exits 2; the app shows it; nothing else is
needed to report a mistake."""


class CoalitionError(ValueError):
    """Base class of every bad-input error: one message naming field, value, allowed."""


class ParameterError(CoalitionError):
    """A model or per-nation parameter is unknown, of the wrong type or out of range."""
