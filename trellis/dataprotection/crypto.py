"""Authenticated, streamed encryption for backups: scrypt turns the passphrase into a key, AES-GCM
seals the data in 1 MiB chunks.

File layout: MAGIC, version (1 byte), scrypt log2(n), r, p (1 byte each), salt (16), nonce prefix (8),
key check (16: the GCM tag of nothing, so a wrong passphrase is told apart from a damaged file), then
chunks of [last flag (1)][length (4)][ciphertext + tag]. Each chunk's nonce is the prefix and its
number; the header, the number and the last flag are authenticated with it, so a changed, dropped,
reordered or cut-off chunk fails to open.
"""

from __future__ import annotations

import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"TRELLIS-BACKUP\n"
VERSION = 1
CHUNK = 1024 * 1024
SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P = 15, 8, 1  # 32 MiB of memory per try: slow to guess, quick enough to open
_FIXED = struct.Struct(">BBBB16s8s")
_CHUNK_HEAD = struct.Struct(">BI")
_TAG = 16
_CHECK_COUNTER = 0xFFFFFFFF


class BackupError(Exception):
    """A backup cannot be opened or restored; the message says why, in plain words."""


def _key(passphrase: str, salt: bytes, log_n: int, r: int, p: int) -> AESGCM:
    if not passphrase:
        raise BackupError("No passphrase: set TRELLIS_BACKUP_PASSPHRASE.")
    key = Scrypt(salt=salt, length=32, n=2**log_n, r=r, p=p).derive(passphrase.encode())
    return AESGCM(key)


def _nonce(prefix: bytes, counter: int) -> bytes:
    return prefix + struct.pack(">I", counter)


def _aad(header: bytes, counter: int, last: bool) -> bytes:
    return header + struct.pack(">IB", counter, int(last))


class EncryptingWriter:
    """A write-only file: what is written to it lands in `out` encrypted. close() seals the last chunk."""

    def __init__(self, out: BinaryIO, passphrase: str) -> None:
        salt, prefix = os.urandom(16), os.urandom(8)
        self._aead = _key(passphrase, salt, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P)
        self._header = MAGIC + _FIXED.pack(VERSION, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, salt, prefix)
        self._prefix, self._out, self._buffer, self._counter = prefix, out, bytearray(), 0
        check = self._aead.encrypt(_nonce(prefix, _CHECK_COUNTER), b"", self._header)
        out.write(self._header + check)

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:  # keep at least one byte back: the last chunk is sealed by close()
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, *, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._counter), plain, _aad(self._header, self._counter, last))
        self._out.write(_CHUNK_HEAD.pack(int(last), len(sealed)) + sealed)
        self._counter += 1

    def close(self) -> None:
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()


class DecryptingReader:
    """A read-only file over an encrypted backup. Every byte it returns has been authenticated;
    anything wrong raises BackupError saying what."""

    def __init__(self, source: BinaryIO, passphrase: str) -> None:
        head = source.read(len(MAGIC) + _FIXED.size + _TAG)
        if not head.startswith(MAGIC):
            raise BackupError("This is not a Trellis backup file (its first bytes are wrong).")
        if len(head) < len(MAGIC) + _FIXED.size + _TAG:
            raise BackupError("This backup file is cut short: it ends inside its header.")
        version, log_n, r, p, salt, prefix = _FIXED.unpack(head[len(MAGIC) : len(MAGIC) + _FIXED.size])
        if version != VERSION:
            raise BackupError(f"This backup is format version {version}; this Trellis reads version {VERSION}.")
        if not (10 <= log_n <= 22 and 1 <= r <= 32 and 1 <= p <= 16):
            raise BackupError("This backup file's header is damaged (its key settings are impossible).")
        self._header = head[: len(MAGIC) + _FIXED.size]
        self._aead = _key(passphrase, salt, log_n, r, p)
        try:
            self._aead.decrypt(_nonce(prefix, _CHECK_COUNTER), head[-_TAG:], self._header)
        except InvalidTag:
            raise BackupError(
                "The passphrase is wrong for this backup (or its header is damaged): nothing was restored."
            ) from None
        self._source, self._prefix, self._counter = source, prefix, 0
        self._offset = len(head)
        self._buffer, self._pos, self._done = b"", 0, False

    def _next_chunk(self) -> None:
        at = self._offset
        head = self._source.read(_CHUNK_HEAD.size)
        if len(head) < _CHUNK_HEAD.size:
            raise BackupError(f"This backup file is cut short at byte {at}: its end is missing.")
        last, length = _CHUNK_HEAD.unpack(head)
        if last not in (0, 1) or length > CHUNK + _TAG:
            raise BackupError(f"This backup file has been changed or damaged near byte {at}.")
        sealed = self._source.read(length)
        if len(sealed) < length:
            raise BackupError(f"This backup file is cut short at byte {at}: its end is missing.")
        try:
            plain = self._aead.decrypt(
                _nonce(self._prefix, self._counter), sealed, _aad(self._header, self._counter, bool(last))
            )
        except InvalidTag:
            raise BackupError(
                f"This backup file has been changed or damaged between bytes {at} and {at + len(head) + length}: "
                "it cannot be trusted, and nothing was restored."
            ) from None
        self._offset += len(head) + length
        self._counter += 1
        if last:
            if self._source.read(1):
                raise BackupError(f"This backup file has extra bytes after its end (byte {self._offset}).")
            self._done = True
        self._buffer, self._pos = self._buffer[self._pos :] + plain, 0

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) - self._pos < size):
            self._next_chunk()
        end = len(self._buffer) if size < 0 else self._pos + size
        out, self._pos = self._buffer[self._pos : end], min(end, len(self._buffer))
        return out
