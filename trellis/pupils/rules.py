"""The register's rules for one pupil's row, whoever brings it: the CTF, CSV and XLSX importers
and the demo seeder all check their rows here, so the same bad row is refused with the same words.

Pure (no database): the caller passes the census need codes it knows. The readers turn a file's
text into typed values first (dates, codes from names); what is left to judge is the register's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from trellis.lib.upn import InvalidUPN, normalise_upn

from .models import SenStatus

UPN_EXAMPLE = "a 13-character UPN, e.g. A801200120001"
STATUSES = frozenset(SenStatus.values)  # looked up once: the enum builds the list on every call


class RegisterError(ValueError):
    """A change the register cannot take; the message says why."""


@dataclass
class RegisterRow:
    """One pupil for the register, its values already typed. Only what the source gives is set:
    None means 'says nothing' (an existing pupil keeps what they have)."""

    line: int
    upn: str
    fields: dict[str, Any] = field(default_factory=dict)  # Pupil model fields (attnames)
    sen_status: str | None = None
    sen_starts_on: dt.date | None = None
    needs: list[str] | None = None  # ranked census codes, first is primary; [] = no needs
    class_name: str | None = None


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one field of a row, and what would be accepted."""

    field: str
    message: str
    accepted: str = ""


class RowRefused(RegisterError):
    """A row the register refuses (the bulk writer's answer to the demo and any other direct caller)."""

    def __init__(self, upn: str, problems: list[RowProblem]):
        from trellis.transfer.parsers import field_label  # labels people read; no import cycle at load

        self.upn, self.problems = upn, problems
        super().__init__(
            "; ".join(
                f"UPN {upn}, {field_label(p.field)}: {p.message}" + (f" (accepted: {p.accepted})" if p.accepted else "")
                for p in problems
            )
        )


def need_field(rank: int) -> str:
    """The field a ranked need is reported against: primary_need, secondary_need, need_rank_3..."""
    return {1: "primary_need", 2: "secondary_need"}.get(rank, f"need_rank_{rank}")


def check_row(row: RegisterRow, *, need_codes: Collection[str] | None) -> list[RowProblem]:
    """Every way `row` breaks the register's rules ([] if none). Puts a good UPN in its standard
    form. `need_codes` None skips the need-code check (a reader used without the database)."""
    return [
        *_upn(row),
        *_status(row),
        *_needs(row, need_codes),
        *_ehc_plan_has_a_need(row),
    ]


def _upn(row: RegisterRow) -> list[RowProblem]:
    if not row.upn or not str(row.upn).strip():
        return [RowProblem("upn", "is missing", UPN_EXAMPLE)]
    try:
        row.upn = normalise_upn(row.upn)
    except InvalidUPN as error:
        return [RowProblem("upn", str(error), "a 13-character UPN with a correct check letter")]
    row.fields["upn"] = row.upn
    return []


def _status(row: RegisterRow) -> list[RowProblem]:
    if row.sen_status is None or row.sen_status in STATUSES:
        return []
    return [RowProblem("sen_status", f"'{row.sen_status}' is not a SEN status", "N, K, E or M")]


def _needs(row: RegisterRow, need_codes: Collection[str] | None) -> list[RowProblem]:
    problems, seen = [], set()
    for rank, code in enumerate(row.needs or [], start=1):
        if need_codes is not None and code not in need_codes:
            problems.append(
                RowProblem(need_field(rank), f"'{code}' is not a SEN type of need", ", ".join(sorted(need_codes)))
            )
        elif code in seen:
            problems.append(RowProblem(need_field(rank), f"'{code}' is given twice", "each need once, at one rank"))
        seen.add(code)
    return problems


def _ehc_plan_has_a_need(row: RegisterRow) -> list[RowProblem]:
    return [] if row.needs is None else ehc_plan_has_a_need(row.sen_status, row.needs)


def ehc_plan_has_a_need(status: str | None, needs: list[str]) -> list[RowProblem]:
    """A pupil with an EHC plan has a primary need: the plan names it (the census requires it)."""
    if status == SenStatus.EHC_PLAN and not needs:
        return [
            RowProblem(
                "primary_need", "a pupil with an EHC plan needs a primary need", "the need the plan names, e.g. ASD"
            )
        ]
    return []


def refuse_bad_rows(rows: Collection[RegisterRow], *, need_codes: Collection[str] | None) -> None:
    """Raise RowRefused for the first row that breaks a rule (for writers that take rows directly)."""
    for row in rows:
        if problems := check_row(row, need_codes=need_codes):
            raise RowRefused(row.upn, problems)
