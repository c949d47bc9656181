# -*- coding: utf-8 -*-
"""What can go wrong with a catalogue spreadsheet: a file that cannot be read as one
(:class:`CatalogueError`), or rows with problems (:class:`CatalogueInvalid`, each problem a
:class:`RowError`: spreadsheet row, Chinese column header, message)."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["CatalogueError", "RowError", "CatalogueInvalid"]


class CatalogueError(Exception):
    """The file cannot be read as a catalogue spreadsheet."""


@dataclass
class RowError:
    row: int            # row number as shown by the spreadsheet program (header = 1)
    column: str         # Chinese column header ('' for the whole row)
    message: str

    def __str__(self) -> str:
        if not self.row:  # a problem of several rows (e.g. unknown departments)
            return f"{self.column}: {self.message}" if self.column else self.message
        where = tk._("row {row}").format(row=self.row)
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """``{"row", "column", "message"}``: how the import action reports the problem."""
        return asdict(self)


class CatalogueInvalid(Exception):
    """Rows with errors; nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors, key=lambda e: (e.row, e.column))
        super().__init__(tk._("{n} problems in the file; nothing was imported").format(n=len(errors)))

    def __repr__(self) -> str:
        return f"CatalogueInvalid({[str(e) for e in self.errors[:20]]})"

