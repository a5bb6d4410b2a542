"""The SENCO's pages: a pupil's subject access export and the retention review."""

from __future__ import annotations

import tempfile

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from trellis.pupils.access import get_pupil_for_user, may_manage_sen_record

from .subject_access import write_export


@require_POST
def subject_access(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """Download everything this school holds about the pupil (zip). The SENCO only; audited."""
    pupil = get_pupil_for_user(request.user, pupil_id)
    if not may_manage_sen_record(request.user, pupil):
        raise Http404("No such page")
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    write_export([pupil], spool, by=request.user, via="web")
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=f"subject-access-{pupil.upn}.zip")
