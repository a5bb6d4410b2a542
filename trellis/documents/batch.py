"""One PDF per pupil for a class or the whole register, made by the background worker into one zip.

Need to know applies pupil by pupil: the zip holds only the pupils the person who asked may see
(a teacher's batch: the pupils they teach), rendered as they may see them. The zip is for that
person only; downloading it is audited as an export of each pupil's record. It is kept for
TRELLIS_BATCH_KEEP_DAYS days, then deleted by the daily scheduled job (`delete_expired`).
"""

from __future__ import annotations

import datetime as dt
import secrets
import tempfile
import zipfile

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from trellis.audit.models import AuditEvent
from trellis.jobs.models import Job
from trellis.jobs.services import Outcome, error_row, report_progress, start_job
from trellis.pupils.models import Pupil

from . import services
from .access import may_batch_documents
from .registry import PUPIL, Kind, UnknownKind, get_kind

JOB_KIND = "document_batch"
FOLDER = "document-batches"


def batch_pupils(user, school, *, group=None, today: dt.date):
    """The pupils of `school` on roll that `user` may see, in `group` (a class) if given."""
    pupils = Pupil.objects.visible_to(user).filter(school=school).on_roll(today)
    if group is not None:
        current = Q(group_memberships__starts_on__isnull=True) | Q(group_memberships__starts_on__lte=today)
        current &= Q(group_memberships__ends_on__isnull=True) | Q(group_memberships__ends_on__gte=today)
        pupils = pupils.filter(current, group_memberships__group=group)
    return pupils.distinct().select_related("school", "primary_need").order_by("legal_surname", "legal_forename", "pk")


def file_name(kind: Kind, pupil) -> str:
    """Safe in any zip tool and file system: ASCII letters, digits and hyphens; the UPN keeps it unique."""
    return f"{slugify(pupil.surname) or 'pupil'}-{slugify(pupil.forename) or 'pupil'}-{pupil.upn}-{kind.slug}.pdf"


def start_batch(*, user, school, kind: Kind, group=None) -> Job:
    """Queue the batch (a second click within the same minute gives the same job)."""
    minute = timezone.now().strftime("%Y%m%d%H%M")
    key = f"batch {user.pk} {school.pk} {kind.slug} {group.pk if group else 'all'} {minute}"
    return start_job(
        JOB_KIND,
        user,
        school=school,
        key=key[:80],
        document=kind.slug,
        group=group.pk if group else None,
        group_name=group.name if group else "",
    )


def run(job: Job) -> Outcome:
    """The worker's runner: render each pupil's PDF into the zip, saving progress as it goes."""
    user, school = job.started_by, job.school
    if user is None or school is None or not may_batch_documents(user, school):
        return Outcome("nothing was made", errors=[error_row("you may no longer make documents for this school")])
    try:
        kind = get_kind(job.args.get("document", ""), PUPIL)
    except UnknownKind as problem:
        return Outcome("nothing was made", errors=[error_row(str(problem))])
    today = timezone.localdate()
    group = school.groups.filter(pk=job.args.get("group")).first() if job.args.get("group") else None
    pupils = list(batch_pupils(user, school, group=group, today=today))
    report_progress(job, 0, len(pupils))
    made, skipped = [], []
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for done, pupil in enumerate(pupils, start=1):
                if kind.refused(pupil):
                    skipped.append(pupil.pk)
                else:
                    archive.writestr(file_name(kind, pupil), services.render_pdf(kind, pupil, user, today=today))
                    made.append(pupil.pk)
                report_progress(job, done, len(pupils))
        spool.seek(0)
        stored = default_storage.save(f"{FOLDER}/{job.pk}-{secrets.token_hex(8)}.zip", File(spool))
    where = f"class {group.name}" if group else "the register"
    summary = f"{kind.title}: {len(made)} PDF{'s' if len(made) != 1 else ''} for {where}"
    if skipped:  # e.g. the annual review pack for pupils without an EHC plan
        summary += f"; {len(skipped)} pupil{'s' if len(skipped) != 1 else ''} left out, as it cannot be made for them"
    kept_until = timezone.now() + dt.timedelta(days=settings.TRELLIS_BATCH_KEEP_DAYS)
    return Outcome(
        summary,
        result={
            "file": stored,
            "kept_until": kept_until.isoformat(timespec="seconds"),
            "pupils": made,
            "url": reverse("document-batch-download", args=[job.pk]),
            "link_text": f"Download the zip of {len(made)} PDFs",
        },
    )


def expired(job: Job, now: dt.datetime) -> bool:
    """The zip's time is up (whether or not the daily job has deleted it yet). A zip made before
    zips had a time is kept for the days from when its job finished."""
    until = job.kept_until or (job.finished_at or job.created_at) + dt.timedelta(days=settings.TRELLIS_BATCH_KEEP_DAYS)
    return until <= now


def delete_expired(job: Job) -> Outcome:
    """The daily job: delete each batch's zip whose time is up; the job page then says when it went."""
    now = timezone.now()
    deleted = 0
    for batch in Job.objects.filter(kind=JOB_KIND, state=Job.State.SUCCEEDED, result__has_key="file"):
        if not expired(batch, now):
            continue
        default_storage.delete(batch.result["file"])
        kept = {k: v for k, v in batch.result.items() if k not in ("file", "url", "link_text")}
        batch.result = kept | {"deleted_at": now.isoformat(timespec="seconds")}
        batch.save(update_fields=["result"])
        deleted += 1
    return Outcome(f"deleted {deleted} zip{'' if deleted == 1 else 's'} of documents past their time")


def zip_name(job: Job) -> str:
    where = slugify(job.args.get("group_name") or "register") or "class"
    return f"{job.args.get('document', 'documents')}-{where}-{job.created_at:%Y-%m-%d}.zip"


def record_download(job: Job, user) -> None:
    """An export of each pupil's record in the zip: one event each, written together."""
    actor_name = user.get_username()[:150]
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=user,
            actor_name=actor_name,
            school_id=job.school_id,
            pupil_id=pupil_id,
            action=AuditEvent.Action.EXPORT,
            record_type=job.args.get("document", "document")[:60],
            record_id=str(job.pk),
            summary=f"Zip of PDFs from background job {job.pk}",
        )
        for pupil_id in job.result.get("pupils", [])
    )
