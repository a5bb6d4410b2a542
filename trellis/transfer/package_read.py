"""Reading a transition package: the zip's safety limits, the JSON, the schema, the evidence files.

Pure (no database): the bytes in, the record and its files out, or problems that name the file,
the record (a JSON path such as plans[0].targets[2]) and the field. The register's rules and the
school's scales are judged afterwards, in trellis.transfer.package_import.
"""

from __future__ import annotations

import functools
import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import jsonschema_rs

from trellis.evidence.storage import max_upload_bytes, sniff

from . import limits
from .package import RECORD_NAME
from .parsers import Problem

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "transition-schema.json"
MAX_MEMBERS = 2_001  # transition.json and up to 2,000 evidence files (the schema's limit)
MAX_RECORD_BYTES = limits.MAX_XLSX_PART  # transition.json, read whole: 32 MB
MAX_UNCOMPRESSED = limits.MAX_XLSX_UNCOMPRESSED  # everything, as the zip directory declares it
ZIP_ACCEPTED = "a transition package (.zip) made by Trellis or another system from docs/transition-schema.json"


@functools.cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


@functools.cache
def _validator() -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator(schema())


@dataclass
class Package:
    file_name: str
    record: dict[str, Any] | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def upn(self) -> str:
        return str((self.record or {}).get("pupil", {}).get("upn", "")).upper()

    def problem(self, where: str, message: str, accepted: str = "", *, file: str = RECORD_NAME) -> None:
        if len(self.problems) < limits.MAX_PROBLEMS:
            self.problems.append(Problem(f"{self.file_name}: {file}", None, self.upn, where, message, accepted))


def json_path(parts) -> str:
    """['plans', 0, 'targets', 2, 'scale'] -> 'plans[0].targets[2].scale'."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(the whole file)"


def read_package(source: IO[bytes], *, file_name: str) -> Package:
    """The package in `source`, checked against the limits and the schema (see Package.problems)."""
    package = Package(file_name=file_name)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        package.problem("", "The file is not a zip file.", ZIP_ACCEPTED, file="")
        return package
    with archive:
        if not _members_within_limits(archive, package):
            return package
        _read_record(archive, package)
        if package.record is not None:
            _read_files(archive, package)
    return package


def _members_within_limits(archive: zipfile.ZipFile, package: Package) -> bool:
    infos = archive.infolist()
    try:
        if len(infos) > MAX_MEMBERS:
            raise limits.over("The zip file", len(infos), MAX_MEMBERS, "files", ZIP_ACCEPTED)
        total = sum(info.file_size for info in infos)
        if total > MAX_UNCOMPRESSED:
            raise limits.LimitExceeded(
                f"The zip file unzips to {total // limits.MB:,} MB; the limit is {MAX_UNCOMPRESSED // limits.MB:,} MB.",
                ZIP_ACCEPTED,
            )
        for info in infos:
            if info.file_size > limits.MB and info.file_size > limits.MAX_XLSX_RATIO * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                raise limits.LimitExceeded(
                    f"{info.filename} unzips to {ratio:,} times its size; the limit is {limits.MAX_XLSX_RATIO}.",
                    ZIP_ACCEPTED,
                )
    except limits.LimitExceeded as error:
        package.problem("", error.message, error.accepted, file="")
        return False
    names = [info.filename for info in infos]
    if RECORD_NAME not in names:
        package.problem("", f"The zip has no {RECORD_NAME}.", ZIP_ACCEPTED, file="")
        return False
    return True


def _read_record(archive: zipfile.ZipFile, package: Package) -> None:
    info = archive.getinfo(RECORD_NAME)
    if info.file_size > MAX_RECORD_BYTES:
        limit = limits.size_text(MAX_RECORD_BYTES)
        package.problem("", f"{RECORD_NAME} is {limits.size_text(info.file_size)}; the limit is {limit}.")
        return
    try:
        with archive.open(info) as part:
            record = json.loads(part.read(MAX_RECORD_BYTES + 1).decode("utf-8"))
    except UnicodeDecodeError:
        package.problem("", "The file is not UTF-8 text.", "JSON in UTF-8")
        return
    except json.JSONDecodeError as error:
        package.problem(f"line {error.lineno}, column {error.colno}", f"This is not valid JSON: {error.msg}.", "JSON")
        return
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        package.problem("", f"The zip file is damaged ({error}).", ZIP_ACCEPTED)
        return
    for error in _validator().iter_errors(record):
        package.problem(json_path(error.instance_path), error.message, _accepted(error))
    if not package.problems:
        package.record = record


def _accepted(error) -> str:
    """What the schema allows at the place of a schema error, where it says it simply."""
    schema_at: Any = schema()
    for part in error.schema_path:
        try:
            schema_at = schema_at[part]
        except (KeyError, IndexError, TypeError):
            return ""
    if isinstance(schema_at, list) and all(isinstance(v, str) for v in schema_at):
        return ", ".join(repr(v) for v in schema_at)
    return ""


def _read_files(archive: zipfile.ZipFile, package: Package) -> None:
    """Each evidence file the record names: present, the size and checksum it says, an allowed type."""
    limit = max_upload_bytes()
    for index, note in enumerate(package.record["evidence"]):
        described = note["file"]
        if described is None:
            continue
        where, path = f"evidence[{index}].file", described["path"]
        try:
            info = archive.getinfo(path)
        except KeyError:
            package.problem(where, f"The zip has no {path}.", file=path)
            continue
        if info.file_size > limit:
            package.problem(where, f"{path} is larger than {limits.size_text(limit)}.", file=path)
            continue
        with archive.open(info) as part:
            content = part.read(limit + 1)
        if hashlib.sha256(content).hexdigest() != described["sha256"]:
            package.problem(f"{where}.sha256", f"{path} does not match its SHA-256 checksum: it is damaged.", file=path)
        elif (sniff(content[:16]) or ("", ""))[0] != described["content_type"]:
            package.problem(
                f"{where}.content_type", f"{path} is not the {described['content_type']} it says.", file=path
            )
        else:
            package.files[path] = content
