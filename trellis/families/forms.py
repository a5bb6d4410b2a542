"""Forms for parents (plain words) and for the SENCO's family page."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password

from trellis.lib.forms import Form

from .models import Consent, PlanResponse, Relationship


class InviteForm(Form):
    email = forms.EmailField(label="Their email address", max_length=254)
    relationship = forms.ChoiceField(label="Who they are to the pupil", choices=Relationship.choices)


class LinkForm(Form):
    username = forms.CharField(
        label="Their Trellis username",
        max_length=150,
        help_text="For someone who already has an account, such as a virtual school head or a social worker",
    )
    relationship = forms.ChoiceField(label="Who they are to the pupil", choices=Relationship.choices)


class RestrictForm(Form):
    restricted = forms.BooleanField(label="Stop this person seeing the pupil's record", required=False)
    reason = forms.CharField(
        label="Reason", max_length=300, required=False, help_text="For example, the court order and its date"
    )


class SignUpForm(Form):
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    username = forms.RegexField(
        label="Choose a username",
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text="Letters, numbers and . @ + - _ only",
        error_messages={"invalid": "Use only letters, numbers and . @ + - _ in your username."},
    )
    password = forms.CharField(label="Choose a password", widget=forms.PasswordInput, max_length=128)
    password_again = forms.CharField(label="Type the password again", widget=forms.PasswordInput, max_length=128)

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password and password != data.get("password_again"):
            self.add_error("password_again", "The two passwords are not the same.")
        elif password:
            try:
                validate_password(password)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


class ViewsForm(Form):
    text = forms.CharField(
        label="Your views",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="What is going well at home? What is hard? What would you like school to know?",
    )


class AnswerForm(Form):
    answer = forms.ChoiceField(
        label="Do you agree with the plan?",
        choices=[(PlanResponse.Answer.AGREE, "Yes, I agree"), (PlanResponse.Answer.CHANGE, "No, I want a change")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="What would you like to change?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
        help_text="You only need to fill this in if you want a change.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ConsentForm(Form):
    kind = forms.ChoiceField(choices=Consent.Kind.choices, widget=forms.HiddenInput)
    given = forms.TypedChoiceField(choices=[("1", "Yes"), ("0", "No")], coerce=lambda v: v == "1")


class PupilSignInSettingForm(Form):
    enabled = forms.BooleanField(label="Older pupils may have their own sign-in", required=False)
    from_year = forms.IntegerField(
        label="Youngest year group",
        min_value=1,
        max_value=14,
        help_text="The NC year, for example 7. Pupils below it cannot sign in.",
        error_messages={
            "required": "Enter the youngest year group, for example 7",
            "min_value": "The youngest year group must be 1 or more",
            "max_value": "The youngest year group must be 14 or less",
            "invalid": "The youngest year group must be a number, for example 7",
        },
    )


class PupilSignInForm(Form):
    username = forms.RegexField(
        label="Username for the pupil",
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text="Letters, numbers and . @ + - _ only",
        error_messages={
            "required": "Enter a username for the pupil",
            "invalid": "Use only letters, numbers and . @ + - _ in the username",
        },
    )
    password = forms.CharField(
        label="Starting password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=128,
        help_text="Give it to the pupil; they change it after signing in.",
        error_messages={"required": "Enter a starting password"},
    )

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password)
        return password
