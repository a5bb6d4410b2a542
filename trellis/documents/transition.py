"""What the transition file says: built from the same record as the transition package
(trellis.transfer.package), so the PDF and the JSON the next school imports never disagree.

Written for the next school's staff: needs, the current plan and the strategies that work,
provision with its impact, assessments, reviews, attendance, the pupil's own ratings, concerns
raised and what was decided, the medical flag and key contacts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from trellis.assessment.models import Scale
from trellis.evidence.models import PupilVoiceEntry
from trellis.families.models import Relationship
from trellis.identification.models import Concern
from trellis.provision.models import InterventionGroup
from trellis.pupils.areas import domain_label
from trellis.pupils.models import NeedType, SenStatus, nc_year_label
from trellis.transfer.package import transition_record

# The narrative the SENCO may write in a draft for the next school (or the LA's own form); the
# tables stay as Trellis makes them. "Strategies that work" replaces the list drawn from the record.
SECTIONS = (
    ("about", "About the pupil, for the next school (shown at the start)"),
    ("strategies", "Strategies that work (replaces the list drawn from the record)"),
    ("provision_summary", "What the provision history shows (shown above the table)"),
    ("next_steps", "Advice for the next school (shown before the key contacts)"),
)

PLAN_KINDS = {"sen_support": "SEN support plan", "ilp": "Individual learning plan", "passport": "Pupil passport"} | {
    "ehc": "EHC plan outcomes"
}


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]


def _date(text: str | None) -> str:
    return f"{dt.date.fromisoformat(text):%-d %b %Y}" if text else ""


def _span(start: str | None, end: str | None) -> str:
    return f"{_date(start)} to {_date(end)}" if end else f"from {_date(start)}"


class _Scales:
    """Scale values as staff read them ("Secure", "2b", "104"), from the scales' codes."""

    def __init__(self, codes: set[str], school):
        found = Scale.objects.for_school(school).filter(code__in=codes).prefetch_related("steps")
        self.by_code = {s.code: s for s in sorted(found, key=lambda s: s.school_id is not None)}

    def name(self, code: str) -> str:
        return self.by_code[code].name if code in self.by_code else code

    def show(self, code: str, value: str) -> str:
        return self.by_code[code].display_value(value) if code in self.by_code else value


def transition(pupil, reader, today: dt.date) -> dict:
    record = transition_record(pupil, today=today)
    codes = {a["scale"] for a in record["assessments"]} | {
        m["scale"] for p in record["provision"] for m in p["measures"]
    }
    codes |= {t["scale"] for p in record["plans"] for t in p["targets"]}
    scales = _Scales(codes, pupil.school)
    need_names = dict(NeedType.objects.values_list("code", "name"))
    plans = [_plan(plan, scales) for plan in record["plans"]]
    return {
        "record": record,
        "name": pupil.full_name,
        "born": _date(record["pupil"]["date_of_birth"]),
        "year": nc_year_label(record["pupil"]["nc_year"]),
        "status": SenStatus(record["pupil"]["sen_status"]).label,
        "needs": [need_names.get(n["code"], n["code"]) for n in record["need_history"] if n["ends_on"] is None],
        "need_history": _need_history(record, need_names),
        "ehc_plans": [
            {k: v if k == "local_authority" else _date(v) for k, v in e.items()} for e in record["ehc_plans"]
        ],
        "current_plans": [p for p in plans if p["state"] == "active"],
        "previous_plans": [p for p in plans if p["state"] != "active"],
        "works": _what_works(record),
        "provision": _provision(record, scales),
        "assessments": _assessments(record, scales),
        "attendance": _attendance(record),
        "carers": [c | {"relationship": Relationship(c["relationship"]).label} for c in record["contacts"]["carers"]],
        "sencos": record["contacts"]["senco"],
        "evidence": [n | {"date": _date(n["date"])} for n in record["evidence"]],
        "voice": _voice(record),
        "concerns": _concerns(record),
    }


def _voice(record: dict) -> Table:
    """The pupil's "I can" statements and how they rated them, oldest first."""
    rows = [
        (
            _date(v["date"]),
            [
                v["statement"],
                PupilVoiceEntry.Rating(v["rating"]).label,
                PupilVoiceEntry.Recorded(v["recorded"]).label,
                v["comment"],
            ],
        )
        for v in record["pupil_voice"]
    ]
    return Table(
        "In the pupil's words: what they can do, as they rated it", ["I can", "Rating", "Recorded", "Comment"], rows
    )


def _concerns(record: dict) -> list[dict]:
    """Each concern as staff read it: who raised it, what was seen, the evidence and the decision."""
    return [
        {
            "raised": f"{_date(c['raised_on'])}, {Concern.Source(c['source']).label.lower()}"
            + (f" ({c['raised_by_name']})" if c["raised_by_name"] else ""),
            "area": domain_label(c["area"]),
            "what_seen": c["what_seen"],
            "contexts": c["contexts"],
            "decision": f"{Concern.Decision(c['decision']).label} on {_date(c['decided_on'])}"
            if c["decision"]
            else "Not decided yet",
            "reasons": c["decision_reasons"],
            "evidence": [
                f"{_date(e['date'])}: {e['summary']}" + (f" ({e['result']})" if e["result"] else "")
                for e in c["evidence"]
            ],
        }
        for c in record["concerns"]
    ]


def _need_history(record: dict, need_names: dict[str, str]) -> Table:
    rows = [
        (SenStatus(s["status"]).label, [_span(s["starts_on"], s["ends_on"]), s["reason"]])
        for s in record["sen_status_history"]
    ] + [
        (f"{need_names.get(n['code'], n['code'])} (rank {n['rank']})", [_span(n["starts_on"], n["ends_on"]), ""])
        for n in record["need_history"]
    ]
    return Table("SEN status and needs over time", ["When", "Note"], rows)


def _plan(plan: dict, scales: _Scales) -> dict:
    targets = []
    for t in plan["targets"]:
        latest = t["reviews"][-1] if t["reviews"] else None
        targets.append(
            {
                "description": t["description"],
                "area": domain_label(t["area"]),
                "scale": scales.name(t["scale"]),
                "baseline": scales.show(t["scale"], t["baseline_value"]),
                "target": scales.show(t["scale"], t["target_value"])
                or (f"+{t['steps_to_gain']}" if t["steps_to_gain"] else ""),
                "latest": f"{scales.show(t['scale'], latest['value'])} on {_date(latest['date'])}"
                if latest
                else "none yet",
                "strategies": t["strategies"],
                "reviews": [
                    (_date(r["date"]), scales.show(t["scale"], r["value"]), r["comment"]) for r in t["reviews"]
                ],
            }
        )
    return plan | {
        "kind_label": PLAN_KINDS.get(plan["kind"], plan["kind"]),
        "needs_by_area": [(domain_label(area), text) for area, text in plan["needs"].items() if text],
        "dates": _span(plan["starts_on"], plan["review_on"]) if plan["starts_on"] else "",
        "target_rows": targets,
    }


def _what_works(record: dict) -> list[str]:
    """Interventions the previous school judged OK, or chose to continue or extend; the strategies of
    targets that reached their goal."""
    works = [
        f"{p['intervention']} ({InterventionGroup.Rating(p['rating']).label if p['rating'] else 'not rated'}"
        f"{', ' + InterventionGroup.Decision(p['decision']).label.lower() if p['decision'] else ''})"
        for p in record["provision"]
        if p["rating"] == "ok" or p["decision"] in {"continue", "extend"}
    ]
    for plan in record["plans"]:
        for t in plan["targets"]:
            met = t["target_value"] and t["reviews"] and t["reviews"][-1]["value"] == t["target_value"]
            if met and t["strategies"]:
                works.append(f"{t['strategies']} (target met: {t['description']})")
    return works


def _provision(record: dict, scales: _Scales) -> Table:
    rows = []
    for p in record["provision"]:
        measures = "; ".join(
            f"{scales.name(m['scale'])}: {scales.show(m['scale'], m['entry'])} to "
            f"{scales.show(m['scale'], m['exit']) or 'not yet measured'}"
            f" (target {('+' + m['target_steps']) if m['target_steps'] else scales.show(m['scale'], m['target_value'])})"
            for m in p["measures"]
        )
        rating = InterventionGroup.Rating(p["rating"]).label if p["rating"] else "Not rated"
        attended = f"{p['sessions_attended']} of {p['sessions_marked']}" if p["sessions_marked"] else "not recorded"
        rows.append(
            (p["intervention"], [_span(p["starts_on"], p["ends_on"]), p["frequency"], attended, measures, rating])
        )
    columns = ["When", "How often", "Sessions attended", "Entry to exit", "Impact"]
    return Table("Interventions and their impact for this pupil", columns, rows)


def _assessments(record: dict, scales: _Scales) -> Table:
    rows = [
        (
            _date(a["date"]),
            [scales.name(a["scale"]), domain_label(a["domain"]), a["subject"], scales.show(a["scale"], a["value"])],
        )
        for a in reversed(record["assessments"])
    ]
    return Table("Assessments, newest first", ["Scale", "Area", "Subject", "Result"], rows)


def _attendance(record: dict) -> Table:
    """Sessions attended by academic year (September to August)."""
    years: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for week in record["attendance"]:
        day = dt.date.fromisoformat(week["week_starting"])
        start = day.year if day.month >= 9 else day.year - 1
        years[start][0] += week["sessions_attended"]
        years[start][1] += week["sessions_possible"]
    rows = [
        (f"{start}/{str(start + 1)[-2:]}", [f"{a:,}", f"{p:,}", f"{100 * a / p:.1f}%" if p else "none possible"])
        for start, (a, p) in sorted(years.items())
    ]
    return Table("Attendance by school year", ["Sessions attended", "Sessions possible", "Attendance"], rows)
