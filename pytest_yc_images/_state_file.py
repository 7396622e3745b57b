"""State files on disk: read one (every problem a :class:`~._state.StateError` naming
the field), write one atomically (a temporary file beside it, fsync, rename)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson

from ._state import StateError

__all__ = ["read_state_file", "write_state_file"]


class _RepeatedKey(ValueError):
    """A key given twice in one JSON object: the parser would keep the last silently."""


def _one_value_per_key(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKey(key)
            seen.add(key)
    return out


def read_state_file(path: str | Path) -> Any:
    """The JSON in ``path``; unreadable or malformed JSON is a :class:`StateError`."""
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StateError("", f"cannot read it: {exc}") from None
    try:
        return json.loads(text, object_pairs_hook=_one_value_per_key)
    except _RepeatedKey as repeated:
        raise StateError(str(repeated)[:100], "given twice in one object") from None
    except json.JSONDecodeError as exc:
        raise StateError("", f"not valid JSON: {exc}") from None
    except RecursionError:
        raise StateError("", "not valid JSON: nested too deeply") from None


def write_state_file(path: str | Path, data: Any) -> Path:
    """Write ``data`` as JSON to ``path`` atomically: a reader (or a crash) sees the old
    file or the new one, never half of one."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:  # orjson: several times faster on a large state; json for what it refuses
        payload = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        payload = json.dumps(data, indent=2).encode("ascii") + b"\n"  # escapes lone surrogates
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # the rename itself survives a crash (POSIX)
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    return target
