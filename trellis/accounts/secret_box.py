"""Two-factor secrets (the authenticator app's key, the recovery codes' seed) encrypted at rest.

allauth stores them through the MFA adapter's encrypt/decrypt hooks, which by default keep them in
the clear: anyone with a copy of the database (a backup, a replica) could then make valid codes.
Here they are sealed with AES-GCM under a key derived from Django's SECRET_KEY, so the database
alone is not enough. Rotating the key: put the old one in SECRET_KEY_FALLBACKS until everyone's
secrets have been read (and so can be re-sealed) or re-enrolled. A value without the prefix was
stored before this existed and is returned as it is.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "aesgcm1:"
_PURPOSE = b"trellis two-factor secrets"


def _cipher(secret_key: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(secret_key.encode())
    return AESGCM(key)


def seal(text: str) -> str:
    nonce = os.urandom(12)
    sealed = _cipher(settings.SECRET_KEY).encrypt(nonce, text.encode(), _PURPOSE)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def open_sealed(value: str) -> str:
    """The secret; ValueError when no current or fallback key opens it (the data was changed, or
    the key it was sealed under is gone)."""
    if not is_sealed(value):
        return value
    raw = base64.urlsafe_b64decode(value[len(PREFIX) :])
    nonce, sealed = raw[:12], raw[12:]
    for secret_key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        try:
            return _cipher(secret_key).decrypt(nonce, sealed, _PURPOSE).decode()
        except InvalidTag:
            continue
    raise ValueError("A two-factor secret cannot be opened with SECRET_KEY or SECRET_KEY_FALLBACKS")
