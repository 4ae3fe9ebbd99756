"""Every CSV veille writes goes through here: no cell is ever a live spreadsheet formula.

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe
(the usual spreadsheet "this is text" marker), so `=HYPERLINK(...)` opens in Excel or LibreOffice as text.

So that our own files read back exactly, a cell that already starts with an apostrophe gets one too, and
:func:`restore` strips exactly one leading apostrophe when what follows starts with a formula character or
an apostrophe — the only cells :func:`neutralise` changes. Hence `=cmd` is written `'=cmd` and read back as
`=cmd`, `'90s` is written `''90s` and read back as `'90s`, and `'note` in a file written by another tool
(an apostrophe followed by ordinary text) is kept as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MARK = "'"


def neutralise(value: Any) -> Any:
    """The cell as written: text starting with a formula character or an apostrophe gets an apostrophe."""
    if value is None:
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_START) or text.startswith(_MARK):
        return _MARK + text
    return value


def restore(value: str) -> str:
    """The cell as it was before :func:`neutralise` (exactly one added apostrophe removed)."""
    if isinstance(value, str) and value.startswith(_MARK) and value[1:2] and (
            value[1:].startswith(FORMULA_START) or value[1] == _MARK):
        return value[1:]
    return value


class DictWriter:
    """`csv.DictWriter` whose every cell (header included) goes through :func:`neutralise`.

    Rows end with `lineterminator` ("\n" by default), and a cell holding a CR or an LF is always quoted
    (the csv module quotes only the characters of its own line terminator, so a bare CR in a "\n" file would
    otherwise split the row in two for every reader).
    """

    def __init__(self, handle: IO[str], fieldnames: Iterable[str], lineterminator: str = "\n", **kwargs: Any):
        self.fieldnames = tuple(fieldnames)
        self._handle = handle
        self._end = lineterminator
        self._buf = io.StringIO()
        self._writer = csv.DictWriter(self._buf, fieldnames=self.fieldnames, lineterminator="\r\n", **kwargs)

    def _emit(self, row: Mapping[str, Any]) -> None:
        self._writer.writerow(row)
        line = self._buf.getvalue()
        self._buf.seek(0)
        self._buf.truncate()
        self._handle.write(line[:-2] + self._end)

    def writeheader(self) -> None:
        self._emit({f: neutralise(f) for f in self.fieldnames})

    def writerow(self, row: Mapping[str, Any]) -> None:
        self._emit({k: neutralise(v) for k, v in row.items()})

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)


def restore_row(row: Mapping[str, Any]) -> dict:
    """A row read with `csv.DictReader` from a file :class:`DictWriter` wrote, values as they were."""
    return {k: restore(v) if isinstance(v, str) else v for k, v in row.items()}
