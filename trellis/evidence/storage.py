"""Private storage for evidence files: under MEDIA_ROOT in the var dir, never given a URL.

Files are only ever sent by trellis.evidence.views.note_file, which checks need to know and
audits the read. `url()` raises so no template can link to a file directly by mistake.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

# The largest file a note may carry. Override with EVIDENCE_MAX_UPLOAD_BYTES in settings.
DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


class PrivateStorage(FileSystemStorage):
    def __init__(self) -> None:
        super().__init__(location=None, base_url=None)  # None: follows settings.MEDIA_ROOT (tests override it)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Evidence files have no public URL; use the access-checked view.")


private_storage = PrivateStorage()


# Allowed types, recognised by their content (magic bytes), not by the name or the browser's claim.
SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
]
ALLOWED_DESCRIPTION = "a photo (JPEG or PNG) or a PDF"


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) for an allowed file's first bytes, else None."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def evidence_upload_to(instance, filename: str) -> str:
    """A random name under evidence/<school>/: the pupil's name never appears in a path."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/{instance.pupil.school_id}/{uuid.uuid4().hex}.{extension}"


def private_file_response(file: FieldFile, *, content_type: str, filename: str) -> FileResponse:
    """A stored file sent to someone the caller has checked: a PDF as a download, anything else
    shown in a sandbox, never cached. Http404 when there is no file or storage has lost it."""
    if not file:
        raise Http404("No file")
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage") from None
    response = FileResponse(
        handle, content_type=content_type, filename=filename, as_attachment=content_type == "application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
