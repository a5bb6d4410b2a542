"""An import run by the background worker (a file of more than TRELLIS_BACKGROUND_IMPORT_ROWS
pupils): the same all-or-nothing `services.import_pupils`, with its progress saved on the Job."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse

from trellis.jobs.models import Job
from trellis.jobs.services import Outcome, error_row, report_progress

from . import services
from .access import may_import
from .uploads import load_upload

NOTHING = "nothing was imported"


def import_pupils(job: Job) -> Outcome:
    school, user = job.school, job.started_by
    if user is None or school is None or not may_import(user, school):
        return Outcome(NOTHING, errors=[error_row("you may no longer import pupils into this school")])
    try:
        saved = load_upload(job.args.get("token", ""), user=user, school=school)
    except Http404:
        return Outcome(
            NOTHING,
            errors=[
                error_row(
                    "the uploaded file is no longer waiting (files are kept for a day)", accepted="upload it again"
                )
            ],
        )
    total = job.args.get("records")
    report_progress(job, 0, total)
    try:
        with saved.open() as source:
            plan = services.import_pupils(
                source=source,
                school=school,
                file_name=saved.file_name,
                by=user,
                mapping=saved.mapping,
                progress=lambda done: report_progress(job, done, total),
            )
    finally:
        saved.delete()
    if not plan.applied:
        errors = [
            error_row(p.message, accepted=p.accepted, line=p.line, upn=p.upn, field=p.field) for p in plan.problems
        ]
        return Outcome(NOTHING, errors=errors or [error_row("the import did not finish", accepted="try again")])
    return Outcome(
        plan.summary_line().rstrip("."),
        result={
            "import_run": plan.run.pk,
            "url": reverse("import-run", args=[school.urn, plan.run.pk]),
            "link_text": "See what was imported",
        },
    )
