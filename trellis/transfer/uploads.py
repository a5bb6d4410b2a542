"""Uploaded files waiting for confirmation: kept under VAR_DIR/imports, keyed by a random token
bound to the user and school that uploaded them, and deleted once used (or after a day)."""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

from django.conf import settings
from django.http import Http404

MAX_AGE_SECONDS = 24 * 60 * 60
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


@dataclass
class Upload:
    token: str
    user_id: int
    school_id: int
    file_name: str
    mapping: dict[str, str] = field(default_factory=dict)
    mapped: bool = False
    records: int | None = None  # pupils in the file, once the preview has counted them

    @property
    def path(self) -> Path:
        return upload_dir() / f"{self.token}.upload"

    @property
    def meta_path(self) -> Path:
        return upload_dir() / f"{self.token}.json"

    def save_meta(self) -> None:
        self.meta_path.write_text(json.dumps(asdict(self)))

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def open(self) -> IO[bytes]:
        return self.path.open("rb")

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)
        self.meta_path.unlink(missing_ok=True)


def _remove_stale() -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in upload_dir().iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def save_upload(uploaded, *, user, school) -> Upload:
    """Keep an uploaded file (a Django UploadedFile) until it is confirmed or abandoned."""
    _remove_stale()
    upload = Upload(
        token=secrets.token_urlsafe(24), user_id=user.pk, school_id=school.pk, file_name=Path(uploaded.name).name[:255]
    )
    with upload.path.open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    upload.save_meta()
    return upload


def load_upload(token: str, *, user, school) -> Upload:
    """The upload, only for the person and school it belongs to; 404 otherwise."""
    if not TOKEN_PATTERN.match(token):
        raise Http404("No such upload")
    meta = upload_dir() / f"{token}.json"
    try:
        upload = Upload(**json.loads(meta.read_text()))
    except (OSError, ValueError, TypeError):
        raise Http404("No such upload") from None
    if upload.user_id != user.pk or upload.school_id != school.pk or not upload.path.exists():
        raise Http404("No such upload")
    return upload
