"""A small OpenID Connect provider for tests, run as its own process (tests/test_signin_oidc.py).

It signs real RS256 ID tokens and serves discovery, JWKS, authorize and token endpoints on
127.0.0.1 (a free port, printed on the first line of stdout). It asks nobody to sign in: the test
says, with POST /control, whose claims the next authorization carries and which key signs them
("good": the key in the JWKS; "stranger": another key under the same key id, a forged token).

    python tests/oidc_provider.py CLIENT_ID CLIENT_SECRET
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KEY_ID = "trellis-test-key"


class Provider:
    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.keys = {
            name: rsa.generate_private_key(public_exponent=65537, key_size=2048) for name in ("good", "stranger")
        }
        self.next_login: dict = {"claims": {}, "key": "good"}
        self.codes: dict[str, dict] = {}
        self.issuer = ""

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict:
        key = RSAAlgorithm.to_jwk(self.keys["good"].public_key(), as_dict=True)
        return {"keys": [{**key, "kid": KEY_ID, "use": "sig", "alg": "RS256"}]}

    def authorize(self, query: dict[str, str]) -> str:
        """The redirect back to the client, carrying a one-time code for the next login's claims."""
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**self.next_login, "query": query}
        back = {"code": code, "state": query.get("state", "")}
        return f"{query['redirect_uri']}?{urlencode(back)}"

    def token(self, form: dict[str, str], basic: tuple[str, str] | None) -> tuple[int, dict]:
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if (client_id, secret) != (self.client_id, self.client_secret):
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("redirect_uri") != grant["query"].get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        if challenge := grant["query"].get("code_challenge"):
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if digest != challenge:
                return 400, {"error": "invalid_grant", "error_description": "PKCE verifier does not match"}
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300, "sub": "someone"}
        if nonce := grant["query"].get("nonce"):
            claims["nonce"] = nonce
        claims.update(grant["claims"])
        id_token = jwt.encode(claims, self.keys[grant["key"]], algorithm="RS256", headers={"kid": KEY_ID})
        return 200, {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }


def handler_for(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

        def _send(self, status: int, body: dict | None = None, location: str | None = None) -> None:
            data = json.dumps(body or {}).encode()
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length") or 0)
            return {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}

        def do_GET(self):
            url = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._send(200, provider.discovery())
            elif url.path == "/jwks":
                self._send(200, provider.jwks())
            elif url.path == "/authorize" and query.get("client_id") == provider.client_id:
                self._send(302, location=provider.authorize(query))
            else:
                self._send(404, {"error": "not_found"})

        def do_POST(self):
            if self.path == "/control":
                length = int(self.headers.get("Content-Length") or 0)
                provider.next_login = json.loads(self.rfile.read(length))
                self._send(200)
            elif self.path == "/token":
                basic = None
                auth = self.headers.get("Authorization", "")
                if auth.startswith("Basic "):
                    user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
                    basic = (user, password)
                status, body = provider.token(self._form(), basic)
                self._send(status, body)
            else:
                self._send(404, {"error": "not_found"})

    return Handler


def main() -> None:
    client_id, client_secret = sys.argv[1], sys.argv[2]
    provider = Provider(client_id, client_secret)
    server = HTTPServer(("127.0.0.1", 0), handler_for(provider))
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
