from __future__ import annotations

from allauth.account.forms import LoginForm
from allauth.mfa.webauthn.forms import AddWebAuthnForm, AuthenticateWebAuthnForm, EditWebAuthnForm
from django import forms
from django.conf import settings

from trellis.lib.forms import CleanTextMixin, Form

from .models import ApiToken
from .services import MAX_TOKEN_DAYS

PASSWORD_MAX_LENGTH = 4096


class TokenForm(Form):
    name = forms.CharField(
        label="What is the token for?",
        help_text="For example, Power BI. It helps you tell your tokens apart.",
        max_length=100,
        error_messages={"required": "Enter what the token is for", "max_length": "Use at most 100 characters"},
    )
    scope = forms.ChoiceField(
        label="What may it do?",
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the token may only read or also change records"},
    )
    days = forms.IntegerField(
        label="Days until it stops working",
        min_value=1,
        max_value=MAX_TOKEN_DAYS,
        help_text=f"From 1 to {MAX_TOKEN_DAYS}.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-width-4"}),
        error_messages={
            "required": "Enter how many days the token should work",
            "invalid": "Enter the number of days as a whole number, like 90",
            "min_value": "A token must work for at least 1 day",
            "max_value": f"A token can work for at most {MAX_TOKEN_DAYS} days",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.TRELLIS_API_TOKEN_DAYS


class SignInForm(CleanTextMixin, LoginForm):
    """allauth's sign-in form with Trellis's wording. Its username is posted as "username", as
    Django's form posted it, so django-axes (AXES_USERNAME_FORM_FIELD), password managers and the
    lockout page read the same name."""

    # Django's password hashers refuse more than 4,096 characters; say so before hashing megabytes.
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["login"].error_messages["required"] = "Enter your username"
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""  # the page links to "Forgotten your password?" itself
        self.fields["password"].error_messages["required"] = "Enter your password"

    def add_prefix(self, field_name: str) -> str:
        return super().add_prefix("username" if field_name == "login" else field_name)


# Passkeys (allauth.mfa's WebAuthn forms with Trellis's wording and limits). A passkey's answer is a
# few hundred characters; a security key's, with its attestation certificates, a few thousand.
PASSKEY_NAME_MAX_LENGTH = 100
PASSKEY_ANSWER_MAX_LENGTH = 20_000


def _passkey_answer_field() -> forms.JSONField:
    return forms.JSONField(
        widget=forms.HiddenInput,
        max_length=PASSKEY_ANSWER_MAX_LENGTH,
        error_messages={
            "required": "Use your passkey when your browser asks for it (this needs JavaScript)",
            "invalid": "Your passkey's answer could not be read. Try again",
        },
    )


class AddPasskeyForm(CleanTextMixin, AddWebAuthnForm):
    name = forms.CharField(
        label="Name for this passkey",
        help_text="So that you can tell your passkeys apart, for example “Blue key on my lanyard” or “Work laptop”.",
        required=False,  # allauth names it when left empty: the passkey itself is what matters
        max_length=PASSKEY_NAME_MAX_LENGTH,
        error_messages={"max_length": f"Use at most {PASSKEY_NAME_MAX_LENGTH} characters"},
    )
    credential = _passkey_answer_field()


class EditPasskeyForm(CleanTextMixin, EditWebAuthnForm):
    name = forms.CharField(
        label="Name for this passkey",
        max_length=PASSKEY_NAME_MAX_LENGTH,
        error_messages={
            "required": "Enter a name for the passkey",
            "max_length": f"Use at most {PASSKEY_NAME_MAX_LENGTH} characters",
        },
    )


class PasskeySignInForm(CleanTextMixin, AuthenticateWebAuthnForm):
    """The passkey half of the second step of signing in (the code half is allauth's own form)."""

    credential = _passkey_answer_field()
