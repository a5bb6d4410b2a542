"""Single sign-on services from the environment (TRELLIS_OIDC_PROVIDERS), as django-allauth apps.

Read by settings.py, so it imports nothing from Django's apps. A trust or school can instead add an
"OpenID Connect" social application in the admin with the same fields (settings as JSON).

TRELLIS_OIDC_PROVIDERS is a JSON list, one entry per service, for example:

    [{"id": "oakfield-microsoft", "name": "Oakfield Trust Microsoft account",
      "server_url": "https://login.microsoftonline.com/<tenant id>/v2.0",
      "client_id": "...", "secret": "...", "tenant": "<tenant id>"},
     {"id": "elm-google", "name": "Elm Primary Google account",
      "server_url": "https://accounts.google.com",
      "client_id": "...", "secret": "...", "hosted_domain": "elm.sch.uk"}]
"""

from __future__ import annotations

import json
import os

from django.core.exceptions import ImproperlyConfigured

REQUIRED = ("id", "name", "server_url", "client_id", "secret")
# Checked against the ID token's claims by trellis.accounts.signin (tid: Microsoft; hd: Google).
RESTRICTIONS = ("tenant", "hosted_domain")


def oidc_apps(text: str) -> list[dict]:
    """allauth's APPS entries from the JSON text; a clear error naming the entry and field otherwise."""
    if not text.strip():
        return []
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"TRELLIS_OIDC_PROVIDERS is not valid JSON: {error}") from None
    if not isinstance(entries, list):
        raise ImproperlyConfigured("TRELLIS_OIDC_PROVIDERS must be a JSON list of sign-in services")
    apps = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ImproperlyConfigured(f"TRELLIS_OIDC_PROVIDERS entry {number} must be a JSON object")
        missing = [name for name in REQUIRED if not str(entry.get(name) or "").strip()]
        if missing:
            raise ImproperlyConfigured(f"TRELLIS_OIDC_PROVIDERS entry {number} has no {', '.join(missing)}")
        if not any(entry.get(name) for name in RESTRICTIONS):
            # Without one, any Microsoft tenant or any Google account whose email matches would sign in.
            raise ImproperlyConfigured(
                f"TRELLIS_OIDC_PROVIDERS entry {number} ({entry['id']}) needs a tenant (Microsoft) "
                "or a hosted_domain (Google) to say whose accounts it accepts"
            )
        apps.append(
            {
                "provider_id": entry["id"],
                "name": entry["name"],
                "client_id": entry["client_id"],
                "secret": entry["secret"],
                "settings": {
                    "server_url": entry["server_url"],
                    # Claims come from the ID token, whose signature is checked, not the userinfo call.
                    "fetch_userinfo": False,
                    **{name: entry[name] for name in RESTRICTIONS if entry.get(name)},
                },
            }
        )
    return apps


def oidc_apps_from_environment() -> list[dict]:
    return oidc_apps(os.environ.get("TRELLIS_OIDC_PROVIDERS", ""))
