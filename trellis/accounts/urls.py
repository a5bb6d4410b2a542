from django.urls import path

from . import views

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("account/tokens/", views.tokens, name="api-tokens"),
    path("account/tokens/<int:pk>/revoke/", views.revoke_token, name="api-token-revoke"),
    path("account/lockouts/", views.lockouts, name="sign-in-lockouts"),
]
