"""A software passkey for Django-level tests: it answers the WebAuthn options a Trellis page hands the
browser exactly as a security key and the browser would (ES256 key, "none" attestation), so the
server's real checks (challenge, origin, signature, credential id) run on what it sends back.

The browser tests use Chromium's own virtual authenticator instead (tests/browser/test_signin_passkey.py).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import struct

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.serializers.json import DjangoJSONEncoder
from fido2.cose import ES256
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import AttestationObject, AttestedCredentialData, AuthenticatorData, CollectedClientData

# The Django test client's host is "testserver"; WebAuthn wants HTTPS for any host but localhost.
ORIGIN = "https://testserver"
USER_PRESENT = AuthenticatorData.FLAG.UP
USER_VERIFIED = AuthenticatorData.FLAG.UV


class SoftPasskey:
    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.user_handle = b""
        self.counter = 0

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return bytes(CollectedClientData.create(type=kind, challenge=challenge, origin=ORIGIN))

    def create(self, creation_options: dict) -> dict:
        """navigator.credentials.create(): the JSON allauth's add page posts back as `credential`."""
        options = creation_options["publicKey"]
        self.user_handle = websafe_decode(options["user"]["id"])
        rp_id_hash = hashlib.sha256(options["rp"]["id"].encode()).digest()
        attested = AttestedCredentialData.create(
            b"\0" * 16, self.credential_id, ES256.from_cryptography_key(self.key.public_key())
        )
        flags = USER_PRESENT | USER_VERIFIED | AuthenticatorData.FLAG.AT
        auth_data = AuthenticatorData.create(rp_id_hash, flags, self.counter, attested)
        return {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": websafe_encode(self._client_data("webauthn.create", options["challenge"])),
                "attestationObject": websafe_encode(bytes(AttestationObject.create("none", auth_data, {}))),
            },
            "clientExtensionResults": {"credProps": {"rk": False}},
        }

    def get(self, request_options: dict, *, rp_id: str = "testserver") -> dict:
        """navigator.credentials.get(): a signed answer to the page's challenge. Like a real key, it
        answers even when the page did not list it: the server is what must refuse a removed one."""
        options = request_options["publicKey"]
        self.counter += 1
        auth_data = hashlib.sha256(options.get("rpId", rp_id).encode()).digest() + struct.pack(
            ">BI", USER_PRESENT | USER_VERIFIED, self.counter
        )
        client_data = self._client_data("webauthn.get", options["challenge"])
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "authenticatorData": websafe_encode(auth_data),
                "signature": websafe_encode(signature),
                "userHandle": websafe_encode(self.user_handle),
            },
            "clientExtensionResults": {},
        }


JS_DATA = re.compile(r'<script id="js_data" type="application/json">(.*?)</script>', re.DOTALL)


def page_options(response) -> dict:
    """The options a page hands allauth's script (its `js_data`), read from the HTML as the browser does."""
    found = JS_DATA.search(response.content.decode())
    assert found, "the page has no passkey options"
    return json.loads(found.group(1))


def view_options(response) -> dict:
    """The options the view made, whether or not its page shows them (a forged answer is built on them)."""
    return json.loads(json.dumps(response.context["js_data"], cls=DjangoJSONEncoder))
