"""The SENCO's forms for the dates of statutory steps (GOV.UK three-box dates)."""

from __future__ import annotations

from django import forms

from trellis.lib.forms import Form, ThreePartDateField, VersionedForm

from .models import AnnualReview, EhcAssessmentRequest, SupportReview


def _date(label: str, hint: str = "", required: bool = False) -> ThreePartDateField:
    return ThreePartDateField(label=label, required=required, help_text=hint or "For example, 27 3 2026")


class NewRequestForm(Form):
    requested_on = _date("Date of the request", "The day the LA received it, for example 27 3 2026", required=True)
    requested_by = forms.ChoiceField(
        label="Who made the request",
        choices=EhcAssessmentRequest.RequestedBy.choices,
        widget=forms.RadioSelect,
        initial=EhcAssessmentRequest.RequestedBy.SCHOOL,
        error_messages={"required": "Select who made the request"},
    )


class RequestForm(VersionedForm, NewRequestForm):
    decision = forms.ChoiceField(
        label="The LA's decision whether to assess",
        choices=[("", "Not decided yet"), *EhcAssessmentRequest.Decision.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    decided_on = _date("Date of the LA's decision", "Due within 6 weeks of the request")
    advice_requested_on = _date("Date the LA asked for advice")
    advice_given_on = _date("Date the school's advice was given", "Due within 6 weeks of being asked")
    draft_issued_on = _date("Date the draft plan was sent")
    parent_comments_on = _date("Date the parents commented on the draft", "They have 15 days")
    not_to_issue_on = _date("Date the LA decided not to issue a plan", "Due within 16 weeks of the request")
    final_issued_on = _date("Date the final plan was issued", "Due within 20 weeks of the request")
    appeal_lodged_on = _date("Date an appeal was made to the SEND Tribunal")


class ReviewForm(VersionedForm):
    meeting_on = _date("Date the meeting is planned for")
    advice_requested_on = _date("Date advice and views were asked for", "About 4 weeks before the meeting")
    invitations_sent_on = _date("Date invitations and papers were sent", "At least 2 weeks before the meeting")
    held_on = _date("Date the meeting was held")
    report_sent_on = _date("Date the school's report was sent to the LA", "Within 2 weeks of the meeting")
    la_decision = forms.ChoiceField(
        label="The LA's decision",
        choices=[("", "Not decided yet"), *AnnualReview.Decision.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    la_decision_on = _date("Date of the LA's decision", "Within 4 weeks of the meeting")
    amended_plan_on = _date("Date the amended plan was issued", "Within 8 weeks of the decision to amend")
    next_school = forms.CharField(
        label="Next school or college named in the plan",
        required=False,
        max_length=200,
        help_text="In the year of a phase transfer",
    )
    health_involved = forms.BooleanField(label="Health services are involved: invite them", required=False)
    social_care_involved = forms.BooleanField(label="Social care is involved: invite them", required=False)


class SupportReviewForm(Form):
    held_on = _date("Date of the review", required=True)
    parent = forms.ChoiceField(
        label="Parents",
        choices=SupportReview.Parent.choices,
        widget=forms.RadioSelect,
        help_text="A review counts towards three a year only if a parent took part or was invited",
        error_messages={"required": "Select whether a parent took part or was invited"},
    )
