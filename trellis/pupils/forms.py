"""The SENCO's register forms. Validation messages follow the GOV.UK pattern."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from trellis.accounts.models import Membership, Role, User
from trellis.lib.forms import Form, ThreePartDateField

from .models import NeedType, Pupil, SenStatus


class PupilForm(Form):
    def __init__(self, data=None, *, pupil: Pupil):
        self.pupil = pupil
        super().__init__(data)


class SenStatusForm(PupilForm):
    status = forms.ChoiceField(
        label="New SEN status",
        choices=SenStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the new SEN status"},
    )
    starts_on = ThreePartDateField(label="Date the status starts")
    reason = forms.CharField(
        label="Reason", required=False, max_length=300, help_text="For example, the decision of the review meeting"
    )

    def __init__(self, data=None, *, pupil: Pupil):
        super().__init__(data, pupil=pupil)
        self.fields["status"].initial = pupil.sen_status


class NeedsForm(PupilForm):
    primary = forms.ChoiceField(label="Primary need", required=False)
    secondary = forms.ChoiceField(label="Secondary need", required=False)
    starts_on = ThreePartDateField(label="Date from which these needs apply")

    def __init__(self, data=None, *, pupil: Pupil):
        super().__init__(data, pupil=pupil)
        choices = [("", "None"), *[(n.code, f"{n.name} ({n.code})") for n in NeedType.objects.all()]]
        current = dict(pupil.need_history.filter(ends_on__isnull=True).values_list("rank", "need_id"))
        for name, rank in (("primary", 1), ("secondary", 2)):
            self.fields[name].choices = choices
            self.fields[name].initial = current.get(rank, "")

    def clean(self):
        data = super().clean()
        if data.get("secondary") and not data.get("primary"):
            self.add_error("primary", "Select a primary need before a secondary need")
        elif data.get("secondary") and data.get("secondary") == data.get("primary"):
            self.add_error("secondary", "Select a secondary need different from the primary need")
        return data


class EhcPlanForm(PupilForm):
    local_authority = forms.CharField(label="Local authority", required=False, max_length=100)
    issued_on = ThreePartDateField(label="Date the plan was issued")
    last_annual_review_on = ThreePartDateField(label="Date of the last annual review", required=False)
    next_annual_review_due = ThreePartDateField(
        label="Date the next annual review is due",
        required=False,
        help_text=(
            "Leave blank for 12 months after the last review (or after the plan was issued),"
            " or sooner for a child under 5 on that day"
        ),
    )

    def __init__(self, data=None, *, pupil: Pupil):
        super().__init__(data, pupil=pupil)
        if plan := pupil.ehc_plans.filter(ceased_on__isnull=True).first():
            for name in self.fields:
                self.fields[name].initial = getattr(plan, name)


class ShareForm(PupilForm):
    specialist = forms.ModelChoiceField(
        label="Specialist", queryset=User.objects.none(), error_messages={"required": "Select the specialist"}
    )
    expires_on = ThreePartDateField(
        label="Share until", help_text="The specialist can see the record up to and including this day"
    )
    reason = forms.CharField(
        label="Reason", required=False, max_length=200, help_text="For example, educational psychology assessment"
    )

    def __init__(self, data=None, *, pupil: Pupil):
        super().__init__(data, pupil=pupil)
        specialist_ids = Membership.objects.filter(school=pupil.school_id, role=Role.SPECIALIST).values("user_id")
        self.fields["specialist"].queryset = User.objects.filter(pk__in=specialist_ids, is_active=True)

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        if expires_on and expires_on < timezone.localdate():
            raise forms.ValidationError("The date to share until must be today or in the future")
        return expires_on


class ConfidentialForm(PupilForm):
    is_confidential = forms.BooleanField(
        label="Confidential: only the SENCO and senior leaders can see this pupil", required=False
    )

    def __init__(self, data=None, *, pupil: Pupil):
        super().__init__(data, pupil=pupil)
        self.fields["is_confidential"].initial = pupil.is_confidential
