"""Reading the files the program is given: one error path for all of them.

Scenario and experiment files (TOML), a sweep's manifest and a Dask scheduler file
(JSON) and the nations data (CSV) are read here. Whatever goes wrong (the file is
missing or unreadable, not UTF-8, not valid TOML or JSON, or of the wrong shape)
becomes one :class:`FileError` line naming the file and what is allowed, which the
CLI prints with exit code 2 and the app shows in place.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from model.errors import CoalitionError


class FileError(CoalitionError):
    """A file cannot be read, is not UTF-8, or is not valid TOML or JSON."""


def _label(path: Path, what: str) -> str:
    return f"{what} {path.name}" if what else str(path)


def read_bytes(path: str | Path, what: str = "") -> bytes:
    """The file's bytes, or FileError naming it and why it cannot be read."""
    path = Path(path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FileError(f"{_label(path, what)} cannot be read ({exc.strerror or exc}): "
                        "expected a readable file") from None


def decode(raw: bytes, path: str | Path, what: str = "") -> str:
    """``raw`` as UTF-8 text, or FileError naming the file and the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileError(f"{_label(Path(path), what)} is not UTF-8 text (byte "
                        f"{raw[exc.start]:#04x} at offset {exc.start}): expected a UTF-8 "
                        "file") from None


def read_text(path: str | Path, what: str = "") -> str:
    """The file as UTF-8 text (one error line for a missing, unreadable or binary file)."""
    return decode(read_bytes(path, what), path, what)


def write_text(path: str | Path, text: str, what: str = "") -> None:
    """Write ``text`` (UTF-8), or FileError naming the file and why it cannot be written."""
    path = Path(path)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FileError(f"{_label(path, what)} cannot be written ({exc.strerror or exc}): "
                        "expected a writable path") from None


def parse_toml(text: str, path: str | Path, what: str = "") -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileError(f"{_label(Path(path), what)} is not valid TOML: {exc}") from None


def read_toml(path: str | Path, what: str = "") -> tuple[bytes, str, dict[str, Any]]:
    """(bytes, text, table) of a TOML file."""
    raw = read_bytes(path, what)
    text = decode(raw, path, what)
    return raw, text, parse_toml(text, path, what)


def read_json_object(path: str | Path, what: str = "") -> dict[str, Any]:
    """A JSON file that must hold one object (a table of named fields)."""
    path = Path(path)
    text = read_text(path, what)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileError(f"{_label(path, what)} is not valid JSON ({exc.msg} at line "
                        f"{exc.lineno}): expected a JSON object") from None
    if not isinstance(data, dict):
        raise FileError(f"{_label(path, what)} holds {_shape(data)}: expected a JSON object "
                        "of named fields")
    return data


def _shape(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:40] + '...' if len(text) > 40 else text}"
