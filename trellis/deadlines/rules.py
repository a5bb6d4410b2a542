"""Statutory deadlines as data, each with its source, and the pure date rules that use them.

Every rule takes `today` (or the dates it starts from) as a parameter: nothing here reads the clock.
Statutory dates do not move for school holidays or weekends (the issue's rule; the SEND
Regulations 2014 reg. 10(4) lets the LA off a time limit when a school is shut for 4 weeks or
more, a case-by-case exception that the LA claims, not a date that moves).

Months: a period of n months ends on the same day of the month, or on the last day of the month
when that month is shorter (29 February 2024 + 12 months = 28 February 2025; 31 August + 6 months
= 28 or 29 February). The earlier day is chosen, not 1 March, because a duty to act "within 12
months" must never be shown later than 12 months.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

SCHOOL, LA, PARENT = "school", "LA", "parent"
OWNERS = {SCHOOL: "School", LA: "Local authority", PARENT: "Parent"}

EHC_ASSESSMENT, ANNUAL_REVIEW, PHASE_TRANSFER, SEN_SUPPORT_REVIEW = (
    "ehc_assessment",
    "annual_review",
    "phase_transfer",
    "sen_support_review",
)
KINDS = {
    EHC_ASSESSMENT: "EHC needs assessment",
    ANNUAL_REVIEW: "EHC plan annual review",
    PHASE_TRANSFER: "Phase transfer",
    SEN_SUPPORT_REVIEW: "SEN support review",
}

UPCOMING, DUE_SOON, OVERDUE, DONE = "upcoming", "due_soon", "overdue", "done"
STATUSES = {UPCOMING: "Upcoming", DUE_SOON: "Due soon", OVERDUE: "Overdue", DONE: "Done"}

REGS = "SEND Regulations 2014"
COP = "SEND Code of Practice 0-25 (2015)"


@dataclass(frozen=True)
class Period:
    """A signed length of time: weeks and days, or calendar months."""

    days: int = 0
    weeks: int = 0
    months: int = 0

    def after(self, day: dt.date) -> dt.date:
        return add_months(day, self.months) + dt.timedelta(days=self.days, weeks=self.weeks)

    def before(self, day: dt.date) -> dt.date:
        return add_months(day, -self.months) - dt.timedelta(days=self.days, weeks=self.weeks)


@dataclass(frozen=True)
class Rule:
    """One step: who owns it, from which date it runs (`after`), how long it may take, and why."""

    kind: str
    step: str
    label: str
    owner: str
    after: str  # the step or event the period runs from; "before:" runs back from it
    period: Period
    source: str

    @property
    def owner_label(self) -> str:
        return OWNERS[self.owner]


RULES: tuple[Rule, ...] = (
    # EHC needs assessment: every period runs from the request unless it says otherwise.
    Rule(
        EHC_ASSESSMENT,
        "decision_to_assess",
        "LA decides whether to assess",
        LA,
        "request",
        Period(weeks=6),
        f"{REGS} reg. 4(1) and 5(1); {COP} 9.14",
    ),
    Rule(
        EHC_ASSESSMENT,
        "advice_requested",
        "LA asks for advice (school, health, social care, EP)",
        LA,
        "decision_to_assess",
        Period(),
        f"{REGS} reg. 6(1); {COP} 9.45-9.46",
    ),
    Rule(
        EHC_ASSESSMENT,
        "advice_given",
        "Advice given to the LA",
        SCHOOL,
        "advice_requested",
        Period(weeks=6),
        f"{REGS} reg. 8(1); {COP} 9.52",
    ),
    Rule(
        EHC_ASSESSMENT,
        "draft_plan",
        "LA sends the draft plan, or decides not to issue one",
        LA,
        "request",
        Period(weeks=16),
        f"{REGS} reg. 10(1) (notice not to issue by 16 weeks); {COP} 9.77 and 9.79",
    ),
    Rule(
        EHC_ASSESSMENT,
        "parent_comments",
        "Parents comment on the draft (15 days)",
        PARENT,
        "draft_plan",
        Period(days=15),
        f"{REGS} reg. 13(1); {COP} 9.77",
    ),
    Rule(
        EHC_ASSESSMENT,
        "final_plan",
        "LA issues the final plan (20 weeks)",
        LA,
        "request",
        Period(weeks=20),
        f"{REGS} reg. 13(2); {COP} 9.40",
    ),
    # Annual review: the due date is the meeting; the school's steps run back from the meeting
    # (planned, else the due date), the report and the LA's steps forward from the meeting held.
    Rule(
        ANNUAL_REVIEW,
        "advice_requested",
        "Advice and views requested",
        SCHOOL,
        "before:meeting",
        Period(weeks=4),
        f"{REGS} reg. 20(3); {COP} 9.176 (in practice about 4 weeks before)",
    ),
    Rule(
        ANNUAL_REVIEW,
        "invitations_sent",
        "Invitations and papers sent",
        SCHOOL,
        "before:meeting",
        Period(weeks=2),
        f"{REGS} reg. 20(4) and 20(3)(b); {COP} 9.176",
    ),
    Rule(
        ANNUAL_REVIEW,
        "meeting",
        "Annual review meeting",
        SCHOOL,
        "due",
        Period(),
        f"Children and Families Act 2014 s. 44(1); {REGS} reg. 2 and 18; {COP} 9.166",
    ),
    Rule(
        ANNUAL_REVIEW,
        "report_sent",
        "School's report sent to the LA",
        SCHOOL,
        "meeting",
        Period(weeks=2),
        f"{REGS} reg. 20(7)-(8); {COP} 9.176",
    ),
    Rule(
        ANNUAL_REVIEW,
        "la_decision",
        "LA decides to keep, amend or cease the plan",
        LA,
        "meeting",
        Period(weeks=4),
        f"{REGS} reg. 20(10); {COP} 9.176",
    ),
    Rule(
        ANNUAL_REVIEW,
        "amended_plan",
        "LA issues the amended plan",
        LA,
        "la_decision",
        Period(weeks=8),
        f"{REGS} reg. 22(3) (as amended); {COP} 9.194",
    ),
    # Phase transfer: fixed dates in the year of transfer (PHASE_TRANSFERS below).
    Rule(
        PHASE_TRANSFER,
        "review",
        "Transfer review held",
        SCHOOL,
        "transfer",
        Period(),
        f"{REGS} reg. 18(1); {COP} 9.179",
    ),
    Rule(
        PHASE_TRANSFER,
        "amended_plan",
        "Amended plan naming the next school or college",
        LA,
        "transfer",
        Period(),
        f"{REGS} reg. 18(1)-(2); {COP} 9.179",
    ),
    # SEN support: at least three reviews a year with parents, so each within 4 months of the last.
    Rule(
        SEN_SUPPORT_REVIEW,
        "review",
        "SEN support review with parents",
        SCHOOL,
        "last_review",
        Period(months=4),
        f"{COP} 6.65-6.66 (at least three times a year, with parents)",
    ),
)

RULE_BY_STEP = {(rule.kind, rule.step): rule for rule in RULES}


def rule(kind: str, step: str) -> Rule:
    return RULE_BY_STEP[(kind, step)]


# Annual reviews: every 12 months; under-5s every 3 to 6 months (TRELLIS_UNDER5_REVIEW_MONTHS).
ANNUAL_REVIEW_MONTHS = 12
ANNUAL_REVIEW_SOURCE = f"Children and Families Act 2014 s. 44(1); {REGS} reg. 18(1); {COP} 9.166 and 9.178"
UNDER5_SOURCE = f"{COP} 9.178 (children under 5: every 3 to 6 months)"
ADULTHOOD_FROM_YEAR = 9  # from Year 9 every review covers preparing for adulthood (CoP 8.9, 9.180)


@dataclass(frozen=True)
class Transfer:
    """Pupils in `nc_year` at a school of one of `phases` move on next September; by (month, day)
    of that calendar year the review and the amended plan naming the next place must be done."""

    nc_year: int
    phases: tuple[str, ...]
    by: tuple[int, int]
    label: str
    source: str


PHASE_TRANSFERS: tuple[Transfer, ...] = (
    Transfer(6, ("primary",), (2, 15), "Year 6 to secondary school", f"{REGS} reg. 18(1)(a); {COP} 9.179"),
    Transfer(
        11,
        ("secondary", "special", "all-through", "alternative"),
        (3, 31),
        "Year 11 to post-16",
        f"{REGS} reg. 18(1)(b); {COP} 9.179",
    ),
)


def _after(kind: str, step: str, day: dt.date) -> dt.date:
    """The day the step is due, its rule's period after `day`."""
    return rule(kind, step).period.after(day)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, on the last day of a shorter month (see the module's note)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def status(due: dt.date, done_on: dt.date | None, today: dt.date, due_soon_days: int) -> str:
    """done once done; overdue the day after the due date; due soon from `due_soon_days` before it
    up to the day itself; upcoming before that."""
    if done_on is not None:
        return DONE
    if due < today:
        return OVERDUE
    if (due - today).days <= due_soon_days:
        return DUE_SOON
    return UPCOMING


def on_time(due: dt.date, done_on: dt.date | None) -> bool:
    return done_on is not None and done_on <= due


def annual_review_due(start: dt.date, *, date_of_birth: dt.date | None = None, under5_months: int = 6) -> dt.date:
    """The next annual review: 12 months after `start` (the plan's issue or the previous review's
    conclusion, the LA's decision), or `under5_months` after it for a child under 5 on that day."""
    months = ANNUAL_REVIEW_MONTHS
    if date_of_birth is not None and add_months(date_of_birth, 60) > start:
        months = under5_months
    return add_months(start, months)


def academic_year_start(today: dt.date) -> int:
    """The calendar year in which the academic year containing `today` began (September)."""
    return today.year if today.month >= 9 else today.year - 1


def transfer_for(nc_year: int | None, phase: str) -> Transfer | None:
    return next((t for t in PHASE_TRANSFERS if t.nc_year == nc_year and phase in t.phases), None)


def phase_transfer_due(nc_year: int | None, phase: str, today: dt.date) -> dt.date | None:
    """For a pupil in a transfer year this academic year: the date in the calendar year of the move
    (next September) by which the review and amended plan must be done; otherwise None."""
    transfer = transfer_for(nc_year, phase)
    if transfer is None:
        return None
    return dt.date(academic_year_start(today) + 1, *transfer.by)


def ehc_assessment_due(
    *,
    requested_on: dt.date,
    decided_on: dt.date | None = None,
    advice_requested_on: dt.date | None = None,
    draft_issued_on: dt.date | None = None,
) -> dict[str, dt.date]:
    """The due date of each step of an assessment that can have one yet (a step that runs from a
    step not done has none, except that advice is asked for when the LA decides to assess)."""
    due = {
        "decision_to_assess": _after(EHC_ASSESSMENT, "decision_to_assess", requested_on),
        "draft_plan": _after(EHC_ASSESSMENT, "draft_plan", requested_on),
        "final_plan": _after(EHC_ASSESSMENT, "final_plan", requested_on),
    }
    due["advice_requested"] = decided_on or due["decision_to_assess"]
    if advice_requested_on is not None:
        due["advice_given"] = _after(EHC_ASSESSMENT, "advice_given", advice_requested_on)
    if draft_issued_on is not None:
        due["parent_comments"] = _after(EHC_ASSESSMENT, "parent_comments", draft_issued_on)
    return due


def annual_review_steps(
    *,
    due: dt.date,
    meeting_on: dt.date | None = None,
    held_on: dt.date | None = None,
    la_decision_on: dt.date | None = None,
    amends: bool = False,
) -> dict[str, dt.date]:
    """Each step's due date. Before the meeting the school's steps run back from the planned
    meeting (else the due date); after it, the report and the LA's decision run from the day it
    was held (else as planned). The amended plan follows an LA decision to amend."""
    planned = meeting_on or due
    meeting = held_on or planned
    steps = {
        "advice_requested": rule(ANNUAL_REVIEW, "advice_requested").period.before(planned),
        "invitations_sent": rule(ANNUAL_REVIEW, "invitations_sent").period.before(planned),
        "meeting": due,
        "report_sent": _after(ANNUAL_REVIEW, "report_sent", meeting),
        "la_decision": _after(ANNUAL_REVIEW, "la_decision", meeting),
    }
    if amends and la_decision_on is not None:
        steps["amended_plan"] = _after(ANNUAL_REVIEW, "amended_plan", la_decision_on)
    return steps


def support_review_due(last: dt.date) -> dt.date:
    """The next SEN support review: within 4 months of the last that counts (or of the start of SEN support)."""
    return rule(SEN_SUPPORT_REVIEW, "review").period.after(last)
