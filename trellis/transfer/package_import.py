"""Importing a transition package: one audited service, all or nothing, with a dry run.

The package is read and checked against the schema (trellis.transfer.package_read), then every
record against the register's rules (trellis.pupils.rules, through the register's bulk writer),
the school's scales and the school's register (a UPN already there is refused: a transition
file brings a new pupil, so importing the same file again changes nothing and says why). Only
when nothing is wrong does one transaction write the pupil with their history: register entry,
SEN status and needs history, EHC plan dates, plans as previous plans (archived, read-only),
targets with small steps and reviews, assessments, past provision (not joined to this school's
groups), attendance, the pupil's "I can" statements, concerns with their evidence, and evidence
notes with their files. The carers it names are linked where they already have a parent's account
here (one account with that email, a parent's, not staff); the others wait on the arrival for the
SENCO to invite (families/manage). A 1.0 package, without voice and concerns, is read as it is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction

from trellis.accounts.models import User
from trellis.assessment.models import Assessment, Scale
from trellis.assessment.scales import ScaleValueError, parse_value
from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.evidence.models import EvidenceNote, PupilVoiceEntry, WeeklyRecord, week_start
from trellis.evidence.storage import private_storage
from trellis.families.services import link_carer
from trellis.identification.models import Concern, ConcernEvidence
from trellis.plans import rollup
from trellis.plans.models import EhcOutcome, Plan, Review, SmallStep, Target
from trellis.plans.services import refresh_summary
from trellis.pupils.bulk import NeedPeriod, NewPupil, StatusPeriod, history_problems, write_new_pupils
from trellis.pupils.models import EhcPlan, NeedType, Pupil, SenStatusEntry
from trellis.pupils.rules import RegisterRow, check_row

from .models import Arrival, ImportRun, PastProvision
from .package import PLAN_FIELDS, PUPIL_FIELDS, TARGET_FIELDS
from .package_read import Package, read_package
from .parsers import Problem, field_label

# The register entry's fields a package brings; the date the pupil joined is the new school's own.
REGISTER_FIELDS = [name for name in PUPIL_FIELDS if name not in {"upn", "enrolled_on"}]
DATE_FIELDS = {"date_of_birth", "starts_on", "ends_on", "review_on", "target_date", "closed_on", "achieved_on"}


@dataclass
class TransitionPlan:
    """What importing the package would do (dry run, preview) or did (applied)."""

    file_name: str
    sha256: str = ""
    dry_run: bool = True
    applied: bool = False
    record: dict[str, Any] | None = None
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    pupil: Pupil | None = None
    run: ImportRun | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def name(self) -> str:
        pupil = (self.record or {}).get("pupil", {})
        return f"{pupil.get('preferred_forename') or pupil.get('legal_forename', '')} {pupil.get('legal_surname', '')}"

    def summary_line(self) -> str:
        c = self.counts
        return (
            f"{self.name.strip()} ({(self.record or {}).get('pupil', {}).get('upn', '')}) from "
            f"{(self.record or {}).get('source_school', {}).get('name', '')}: {c.get('plans', 0)} previous plans, "
            f"{c.get('targets', 0)} targets, {c.get('reviews', 0)} reviews, {c.get('assessments', 0)} assessments, "
            f"{c.get('provision', 0)} interventions, {c.get('weeks', 0)} weeks of attendance, "
            f'{c.get("evidence", 0)} evidence notes ({c.get("files", 0)} files), {c.get("voice", 0)} "I can" '
            f"statements, {c.get('concerns', 0)} concerns; parents and carers: {c.get('carers_linked', 0)} linked to "
            f"their account here, {c.get('carers_to_invite', 0)} to invite."
        )


class _Checker:
    """Turns the record's JSON values into typed ones, noting each problem with where it is."""

    def __init__(self, package: Package, school):
        self.package, self.school = package, school
        self.scales = _scales(school, package.record)

    def date(self, where: str, text: str | None) -> dt.date | None:
        if text is None:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.package.problem(where, f"{text!r} is not a date", "a real date, YYYY-MM-DD")
            return None

    def dates(self, where: str, values: dict, names: list[str]) -> dict:
        return {n: self.date(f"{where}.{n}", v) if n in DATE_FIELDS else v for n, v in values.items() if n in names}

    def scale(self, where: str, code: str) -> Scale | None:
        scale = self.scales.get(code)
        if scale is None:
            known = ", ".join(sorted(self.scales_known()))
            self.package.problem(f"{where}.scale", f"{self.school.name} has no scale {code!r}", known)
        return scale

    def value(self, where: str, scale: Scale | None, raw: str, *, blank: bool = False) -> str:
        if scale is None or (blank and raw == ""):
            return raw
        try:
            return parse_value(scale, raw)
        except ScaleValueError as error:
            self.package.problem(where, str(error), error.allowed)
            return raw

    def scales_known(self) -> list[str]:
        return list(Scale.objects.for_school(self.school).values_list("code", flat=True).distinct())


def _scales(school, record: dict) -> dict[str, Scale]:
    """The scales the record names, by code: the school's own first, then the shipped ones."""
    codes = {a["scale"] for a in record["assessments"]}
    codes |= {t["scale"] for p in record["plans"] for t in p["targets"]}
    codes |= {m["scale"] for p in record["provision"] for m in p["measures"]}
    found = Scale.objects.for_school(school).filter(code__in=codes).prefetch_related("steps", "bands")
    return {s.code: s for s in sorted(found, key=lambda s: s.school_id is not None)}  # the school's own wins


def import_transition(
    *, source: IO[bytes], file_name: str, school, by=None, dry_run: bool = False, via: str = "web"
) -> TransitionPlan:
    """Check the package and, unless a dry run or anything is wrong, import it (all or nothing)."""
    source.seek(0)
    digest = hashlib.sha256()
    while block := source.read(1 << 20):
        digest.update(block)
    source.seek(0)
    package = read_package(source, file_name=file_name)
    plan = TransitionPlan(file_name=file_name, sha256=digest.hexdigest(), dry_run=dry_run, record=package.record)
    writes = _planned(package, school) if package.record is not None else None
    plan.problems = package.problems
    if writes is None or plan.problems:
        return plan
    plan.counts = writes.counts
    if dry_run:
        return plan
    saved: list[str] = []
    try:
        with transaction.atomic(), rollup.deferred():  # the pupil's rollup once, not twice a target
            plan.pupil, plan.run = writes.apply(school=school, by=by, via=via, plan=plan, saved=saved)
    except Exception:
        for name in saved:  # files are not part of the transaction: take back any already stored
            private_storage.delete(name)
        raise
    plan.applied = True
    return plan


@dataclass
class _Writes:
    new_pupil: NewPupil
    need_codes: set[str]
    steps: list[Callable] = field(default_factory=list)  # (pupil, by, arrival, saved) -> None, in order
    counts: dict[str, int] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict)
    carers_to_invite: list[dict] = field(default_factory=list)  # named by the package, no account here

    def apply(self, *, school, by, via: str, plan: TransitionPlan, saved: list[str]) -> tuple[Pupil, ImportRun]:
        ids = write_new_pupils(
            school=school, pupils=[self.new_pupil], need_codes=self.need_codes, by=by, via=via, audit_each=False
        )
        pupil = Pupil.objects.select_related("school").get(pk=ids[self.new_pupil.row.upn])
        source = self.record["source_school"]
        run = ImportRun.objects.create(
            school=school,
            by=by if by is not None and by.is_authenticated else None,
            by_name=by.get_username() if by is not None and by.is_authenticated else "system",
            via=via,
            file_name=plan.file_name,
            sha256=plan.sha256,
            file_format="TRANS",
            records=1,
            created=1,
            summary={"transition": self.counts, "from": source},
        )
        arrival = Arrival.objects.create(
            pupil=pupil,
            run=run,
            from_school_urn=source["urn"],
            from_school_name=source["name"],
            from_trust=source["trust"],
            exported_at=self.record["exported_at"],
            carers=self.carers_to_invite,
        )
        for step in self.steps:
            step(pupil, by, arrival, saved)
        audit.record(
            actor=by,
            action=AuditEvent.Action.IMPORT,
            record_type="transition package",
            pupil=pupil,
            record_id=run.pk,
            summary=f"Arrived from {source['name']} (URN {source['urn']}) with a transition package",
            changes={name: [None, count] for name, count in self.counts.items()}
            | {"upn": [None, pupil.upn], "file": [None, plan.file_name]},
            via=via,
        )
        return pupil, run


def _planned(package: Package, school) -> _Writes | None:
    """The writes the package asks for, checking every record; problems go on the package."""
    record, check = package.record, _Checker(package, school)
    need_codes = set(NeedType.objects.values_list("code", flat=True))
    new_pupil = _register_entry(package, check, need_codes)
    writes = _Writes(new_pupil=new_pupil, need_codes=need_codes, record=record)
    if new_pupil.row.upn and Pupil.objects.filter(school=school, upn=new_pupil.row.upn).exists():
        package.problem(
            "pupil.upn",
            f"A pupil with UPN {new_pupil.row.upn} is already on {school.name}'s register: this package has been "
            "imported already, or the pupil was added another way. Nothing was changed.",
            "a pupil new to the school",
        )
    _plan_writes(writes, check)
    _other_writes(writes, check)
    _voice_and_concerns(writes, check)
    _carers(writes)
    return None if package.problems else writes


def _register_entry(package: Package, check: _Checker, need_codes: set[str]) -> NewPupil:
    record = package.record
    values = check.dates("pupil", record["pupil"], REGISTER_FIELDS)
    statuses = [
        StatusPeriod(
            status=s["status"],
            starts_on=check.date(f"sen_status_history[{i}].starts_on", s["starts_on"]),
            ends_on=check.date(f"sen_status_history[{i}].ends_on", s["ends_on"]),
            source=SenStatusEntry.Source.IMPORT,
            reason=s["reason"],
        )
        for i, s in enumerate(record["sen_status_history"])
    ]
    needs = [
        NeedPeriod(
            code=n["code"],
            rank=n["rank"],
            starts_on=check.date(f"need_history[{i}].starts_on", n["starts_on"]),
            ends_on=check.date(f"need_history[{i}].ends_on", n["ends_on"]),
        )
        for i, n in enumerate(record["need_history"])
    ]
    current = [p.code for p in sorted((p for p in needs if p.ends_on is None), key=lambda p: p.rank)]
    opened = [s.starts_on for s in statuses if s.ends_on is None]
    row = RegisterRow(
        line=0,
        upn=record["pupil"]["upn"],
        fields=values,
        sen_status=record["pupil"]["sen_status"],
        sen_starts_on=opened[0] if opened else None,
        needs=current,
    )
    new_pupil = NewPupil(row=row, statuses=statuses, needs=needs)
    for problem in check_row(row, need_codes=need_codes) + history_problems(new_pupil):
        package.problem(f"pupil.{problem.field}", f"{field_label(problem.field)}: {problem.message}", problem.accepted)
    return new_pupil


def _plan_writes(writes: _Writes, check: _Checker) -> None:
    plans = writes.record["plans"]
    for p_index, data in enumerate(plans):
        where = f"plans[{p_index}]"
        content = check.dates(where, data, PLAN_FIELDS) | {"state": Plan.State.ARCHIVED}
        positions = {o["position"] for o in data["outcomes"]}
        targets = []
        for t_index, target in enumerate(data["targets"]):
            at = f"{where}.targets[{t_index}]"
            scale = check.scale(at, target["scale"])
            values = check.dates(at, target, TARGET_FIELDS)
            values["baseline_value"] = check.value(f"{at}.baseline_value", scale, target["baseline_value"])
            values["target_value"] = check.value(f"{at}.target_value", scale, target["target_value"], blank=True)
            if target["steps_to_gain"] is not None:
                values["steps_to_gain"] = Decimal(target["steps_to_gain"])
            if target["outcome_position"] is not None and target["outcome_position"] not in positions:
                check.package.problem(
                    f"{at}.outcome_position", "names no outcome of this plan", "an outcome's position"
                )
            steps = [check.dates(f"{at}.small_steps[{i}]", s, list(s)) for i, s in enumerate(target["small_steps"])]
            reviews = [
                check.dates(f"{at}.reviews[{i}]", r, ["date", "comment", "reviewed_by_name"])
                | {"value": check.value(f"{at}.reviews[{i}].value", scale, r["value"])}
                for i, r in enumerate(target["reviews"])
            ]
            targets.append((values, scale, target["outcome_position"], steps, reviews))
        writes.steps.append(_plan_step(content, data["outcomes"], targets))
    writes.counts |= {
        "plans": len(plans),
        "targets": sum(len(p["targets"]) for p in plans),
        "reviews": sum(len(t["reviews"]) for p in plans for t in p["targets"]),
    }


def _plan_step(content: dict, outcomes: list[dict], targets: list[tuple]) -> Callable:
    def write(pupil, by, arrival, saved) -> None:
        plan = Plan.objects.create(pupil=pupil, created_by=_user(by), **content)
        arrival.plans.add(plan)
        by_position = {o["position"]: EhcOutcome.objects.create(plan=plan, **o) for o in outcomes}
        for values, scale, outcome_position, steps, reviews in targets:
            target = Target.objects.create(
                plan=plan,
                pupil=pupil,
                scale=scale,
                outcome=by_position.get(outcome_position),
                created_by=_user(by),
                **values,
            )
            SmallStep.objects.bulk_create(SmallStep(target=target, **s) for s in steps)
            Review.objects.bulk_create(Review(target=target, **r) for r in reviews)
            refresh_summary(target)  # statuses and gains as this school's rules read them, tallied

    return write


def _other_writes(writes: _Writes, check: _Checker) -> None:
    record = writes.record
    ehc = [
        {
            name: value if name == "local_authority" else check.date(f"ehc_plans[{i}].{name}", value)
            for name, value in e.items()
        }
        for i, e in enumerate(record["ehc_plans"])
    ]
    assessments = []
    for i, a in enumerate(record["assessments"]):
        scale = check.scale(f"assessments[{i}]", a["scale"])
        assessments.append(
            {"scale": scale, "value": check.value(f"assessments[{i}].value", scale, a["value"])}
            | {"domain": a["domain"], "subject": a["subject"], "date": check.date(f"assessments[{i}].date", a["date"])}
        )
    provision = [_past_provision(check, f"provision[{i}]", p) for i, p in enumerate(record["provision"])]
    weeks, seen = [], set()
    for i, w in enumerate(record["attendance"]):
        monday = check.date(f"attendance[{i}].week_starting", w["week_starting"])
        if monday in seen:
            check.package.problem(f"attendance[{i}].week_starting", f"the week of {monday:%-d %B %Y} is given twice")
        seen.add(monday)
        if monday and week_start(monday) != monday:
            check.package.problem(
                f"attendance[{i}].week_starting", f"{monday:%A %-d %B %Y} is not a Monday", "a Monday"
            )
        if w["sessions_attended"] > w["sessions_possible"]:
            check.package.problem(f"attendance[{i}].sessions_attended", "is more than the sessions possible")
        weeks.append(w | {"week_starting": monday})
    notes = [check.dates(f"evidence[{i}]", n, ["date"]) | {"note": n} for i, n in enumerate(record["evidence"])]
    writes.steps.append(_other_step(ehc, assessments, provision, weeks, notes, check.package.files))
    writes.counts |= {
        "ehc_plans": len(ehc),
        "assessments": len(assessments),
        "provision": len(provision),
        "weeks": len(weeks),
        "evidence": len(notes),
        "files": len(check.package.files),
    }


def _past_provision(check: _Checker, where: str, data: dict) -> dict:
    measures = []
    for i, m in enumerate(data["measures"]):
        scale = check.scale(f"{where}.measures[{i}]", m["scale"])
        measures.append(
            m
            | {
                "entry": check.value(f"{where}.measures[{i}].entry", scale, m["entry"]),
                "target_value": check.value(
                    f"{where}.measures[{i}].target_value", scale, m["target_value"], blank=True
                ),
                "exit": check.value(f"{where}.measures[{i}].exit", scale, m["exit"], blank=True),
            }
        )
    return data | check.dates(where, data, ["starts_on", "ends_on"]) | {"measures": measures}


def _other_step(ehc, assessments, provision, weeks, notes, files: dict[str, bytes]) -> Callable:
    def write(pupil, by, arrival, saved) -> None:
        EhcPlan.objects.bulk_create(EhcPlan(pupil=pupil, **e) for e in ehc)
        Assessment.objects.bulk_create(Assessment(pupil=pupil, recorded_by=_user(by), **a) for a in assessments)
        PastProvision.objects.bulk_create(PastProvision(pupil=pupil, arrival=arrival, **p) for p in provision)
        WeeklyRecord.objects.bulk_create(
            WeeklyRecord(pupil=pupil, source=WeeklyRecord.Source.IMPORT, recorded_by=_user(by), **w) for w in weeks
        )
        for entry in notes:
            note_data = entry["note"]
            note = EvidenceNote(
                pupil=pupil,
                date=entry["date"],
                learning_objective=note_data["learning_objective"],
                activity=note_data["activity"],
                outcome=note_data["outcome"],
                areas=note_data["areas"],
                recorded_by=_user(by),
            )
            if described := note_data["file"]:
                note.attachment_name = described["name"]
                note.attachment_type = described["content_type"]
                note.attachment_size = described["size"]
                note.attachment.save(described["path"], ContentFile(files[described["path"]]), save=False)
                saved.append(note.attachment.name)
            note.save()

    return write


def _voice_and_concerns(writes: _Writes, check: _Checker) -> None:
    """The pupil's "I can" statements and the concerns raised (absent from a 1.0 package: none)."""
    voice = [
        v | {"date": check.date(f"pupil_voice[{i}].date", v["date"])}
        for i, v in enumerate(writes.record.get("pupil_voice", []))
    ]
    concerns = []
    for i, c in enumerate(writes.record.get("concerns", [])):
        where = f"concerns[{i}]"
        values = {name: value for name, value in c.items() if name != "evidence"} | {
            name: check.date(f"{where}.{name}", c[name]) for name in ("noticed_since", "raised_on", "decided_on")
        }
        if bool(c["decision"]) != bool(c["decided_on"]):
            check.package.problem(f"{where}.decided_on", "a decision needs its date, and a date its decision")
        evidence = [
            e | {"date": check.date(f"{where}.evidence[{n}].date", e["date"])} for n, e in enumerate(c["evidence"])
        ]
        concerns.append((values, evidence))
    writes.steps.append(_voice_and_concerns_step(voice, concerns))
    writes.counts |= {"voice": len(voice), "concerns": len(concerns)}


def _voice_and_concerns_step(voice: list[dict], concerns: list[tuple[dict, list[dict]]]) -> Callable:
    def write(pupil, by, arrival, saved) -> None:
        PupilVoiceEntry.objects.bulk_create(PupilVoiceEntry(pupil=pupil, recorded_by=_user(by), **v) for v in voice)
        for values, evidence in concerns:
            concern = Concern.objects.create(pupil=pupil, **values)
            ConcernEvidence.objects.bulk_create(
                ConcernEvidence(concern=concern, added_by=_user(by), **e) for e in evidence
            )

    return write


def parent_account(email: str) -> User | None:
    """The one active parent's account here with this email (a carer of some pupil, and not staff:
    an import never links a staff account); None when there is none, or more than one."""
    if not email:
        return None
    found = list(
        User.objects.filter(email__iexact=email, is_active=True, carer_links__isnull=False)
        .exclude(memberships__isnull=False)
        .exclude(trust_memberships__isnull=False)
        .distinct()[:2]
    )
    return found[0] if len(found) == 1 else None


def _carers(writes: _Writes) -> None:
    """Link each carer named in the package to their parent's account here, or keep them to invite."""
    linked = []
    for carer in writes.record["contacts"]["carers"]:
        account = parent_account(carer["email"])
        if account is None:
            writes.carers_to_invite.append(carer)
        elif account.pk not in {a.pk for a, _ in linked}:
            linked.append((account, carer["relationship"]))

    def write(pupil, by, arrival, saved) -> None:
        for account, relationship in linked:
            link_carer(pupil=pupil, user=account, relationship=relationship, by=by)

    writes.steps.append(write)
    writes.counts |= {"carers_linked": len(linked), "carers_to_invite": len(writes.carers_to_invite)}


def _user(by):
    return by if by is not None and by.is_authenticated else None
