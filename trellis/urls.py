from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from trellis.api.api import api
from trellis.lib import errors, health

urlpatterns = [
    path("health/", health.health, name="health"),
    path("sign-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
    path("", include("trellis.accounts.urls")),
    path("", include("trellis.plans.urls")),
    path("", include("trellis.provision.urls")),
    path("", include("trellis.pupils.urls")),
    path("", include("trellis.dashboards.urls")),
    path("", include("trellis.transfer.urls")),
    path("", include("trellis.identification.urls")),
    path("", include("trellis.evidence.urls")),
    path("", include("trellis.jobs.urls")),
    path("", include("trellis.meetings.urls")),
    path("", include("trellis.deadlines.urls")),
    path("", include("trellis.dataprotection.urls")),
    path("", include("trellis.documents.urls")),
    path("", include("trellis.todo.urls")),
    path("", include("trellis.families.urls")),
    path("", include("trellis.specialists.urls")),
]

# The 500 page with the site's navigation when it can be drawn (404 and 403 use Django's own views
# with templates/404.html and 403.html).
handler500 = errors.server_error
