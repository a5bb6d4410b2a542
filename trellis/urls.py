from allauth.account import views as allauth_views
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from trellis.accounts import passkeys, signin
from trellis.api.api import api
from trellis.lib import errors, health

urlpatterns = [
    path("health/", health.health, name="health"),
    path("sign-in/", allauth_views.LoginView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    # django-allauth (/accounts/): password reset, two-factor set-up and codes, Microsoft/Google sign-in.
    # The OpenID Connect callback checks the ID token's signature (trellis.accounts.signin).
    path("accounts/oidc/<str:provider_id>/login/callback/", signin.oidc_callback, name="oidc-callback-verified"),
    # An email address is the school's to change (it decides who a Microsoft/Google sign-in is), and
    # a password is changed on the audited page.
    path("accounts/email/", RedirectView.as_view(pattern_name="account"), name="email-is-the-schools"),
    path("accounts/password/change/", RedirectView.as_view(pattern_name="password-change"), name="allauth-password"),
    path("accounts/password/set/", RedirectView.as_view(pattern_name="password-change"), name="allauth-password-set"),
    # allauth.urls less its unnamed, deprecated /accounts/social/ redirects: every page here is named.
    path("accounts/", include("allauth.account.urls")),
    # Before allauth's own: the second step says which factors one has; a required last passkey stays.
    path("accounts/2fa/authenticate/", passkeys.second_step, name="mfa_authenticate"),
    path("accounts/2fa/webauthn/keys/<int:pk>/remove/", passkeys.remove_passkey, name="mfa_remove_webauthn"),
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path("accounts/3rdparty/", include("allauth.socialaccount.urls")),
    path("accounts/", include("allauth.socialaccount.providers.openid_connect.urls")),
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
