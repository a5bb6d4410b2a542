"""The versioned JSON API (/api/v1/). Each domain adds its router here.

Bearer tokens (manage.py create_api_token) for scripts; the browser session (with CSRF on
writes) for pages. Need to know and audit apply exactly as on pages. Every error has one shape
(trellis.api.common.ErrorOut), declared with its statuses on every operation.
"""

from typing import Any

from ninja import NinjaAPI
from ninja.security import django_auth

from .auth import BearerToken
from .common import describe_errors, install_error_handlers


class TrellisAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return describe_errors(super().get_openapi_schema(*args, **kwargs))


api = TrellisAPI(
    title="Trellis API",
    version="1",
    description="SEN register, plans and provision. Every call sees only the pupils its user may see. "
    'Every error is `{"detail": "...", "errors": [{"field": "...", "message": "..."}]}`.',
    urls_namespace="api-v1",
    auth=[BearerToken(), django_auth],
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_error_handlers(api)
api.add_router("/pupils", "trellis.pupils.api.router")
api.add_router("", "trellis.plans.api.router")
api.add_router("", "trellis.evidence.api.router")
api.add_router("/interventions", "trellis.provision.api.router")
api.add_router("", "trellis.dashboards.api.router")
api.add_router("", "trellis.deadlines.api.router")
