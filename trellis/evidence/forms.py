"""Evidence forms, in the GOV.UK patterns."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Q

from trellis.accounts.forms import PASSWORD_MAX_LENGTH
from trellis.lib.forms import Form, OnceForm, ThreePartDateField, VersionedForm
from trellis.lib.models import LONG_TEXT, SHORT_TEXT
from trellis.plans.models import Target
from trellis.pupils.areas import domain_choices

from .exclusions import MAX_SESSIONS
from .models import Exclusion, PupilVoiceEntry
from .services import VoiceAnswer
from .storage import ALLOWED_DESCRIPTION, max_upload_bytes


class NoteForm(Form):
    def __init__(self, *args, pupil, linked=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Current targets, and any the note is already linked to (a changed note keeps its links).
        current = Target.objects.filter(
            Q(pk__in=Target.objects.current().filter(pupil=pupil).values("pk")) | Q(pupil=pupil, pk__in=list(linked))
        ).order_by("plan", "position", "pk")
        self.fields["targets"].choices = [(t.pk, str(t)) for t in current]
        if not self.fields["targets"].choices:
            del self.fields["targets"]

    date = ThreePartDateField(label="Date")
    learning_objective = forms.CharField(
        label="Learning objective", max_length=300, error_messages={"required": "Enter the learning objective"}
    )
    activity = forms.CharField(
        max_length=LONG_TEXT,
        label="Activity",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the activity"},
    )
    outcome = forms.CharField(
        max_length=LONG_TEXT,
        label="Outcome",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the pupil did or showed",
        error_messages={"required": "Enter the outcome"},
    )
    areas = forms.MultipleChoiceField(
        label="Areas of need (optional)",
        choices=domain_choices(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    targets = forms.TypedMultipleChoiceField(
        label="Targets this is evidence for (optional)",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    shared_with_family = forms.BooleanField(
        label="Share this note with the family",
        required=False,
        help_text="Parents and carers see it on their pages. Leave it unticked for staff only.",
    )
    attachment = forms.FileField(
        label="Photo or file (optional)",
        required=False,
        help_text=f"{ALLOWED_DESCRIPTION[0].upper()}{ALLOWED_DESCRIPTION[1:]}, smaller than "
        f"{max_upload_bytes() // (1024 * 1024)} MB",
    )


class NewNoteForm(OnceForm, NoteForm):
    """Posted twice (a double click, a resent page), it saves one note."""


class ChangeNoteForm(VersionedForm, NoteForm):
    """Refused if the note changed since the form was opened (its version is in the form)."""

    def values_of(self, record) -> dict:
        values = {
            name: getattr(record, name)
            for name in ("date", "learning_objective", "activity", "outcome", "areas", "shared_with_family")
        }
        return values | {"targets": sorted(record.targets.values_list("pk", flat=True))}


class VoiceForm(Form):
    date = ThreePartDateField(label="Date")
    statement = forms.CharField(
        label="“I can …” statement",
        max_length=200,
        help_text="In the pupil's words, e.g. I can ask for help",
        error_messages={"required": "Enter the statement"},
    )
    rating = forms.TypedChoiceField(
        label="How does the pupil rate it?",
        choices=PupilVoiceEntry.Rating.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the pupil rates it"},
    )
    recorded = forms.ChoiceField(
        label="Recorded",
        choices=PupilVoiceEntry.Recorded.choices,
        widget=forms.RadioSelect,
        initial=PupilVoiceEntry.Recorded.WITH_PUPIL,
    )
    comment = forms.CharField(label="Comment (optional)", max_length=300, required=False)


class WeekForm(Form):
    week_starting = ThreePartDateField(
        label="Week starting", help_text="The Monday of the week (another day moves to its Monday)"
    )
    behaviour_positive = forms.IntegerField(label="Positive behaviour points", min_value=0, max_value=1000)
    behaviour_negative = forms.IntegerField(label="Negative behaviour points", min_value=0, max_value=1000)
    sessions_attended = forms.IntegerField(label="Sessions attended", min_value=0, max_value=14)
    sessions_possible = forms.IntegerField(
        label="Sessions possible", min_value=0, max_value=14, help_text="Two a school day: 10 in a full week"
    )

    def clean(self):
        data = super().clean()
        attended, possible = data.get("sessions_attended"), data.get("sessions_possible")
        if attended is not None and possible is not None and attended > possible:
            self.add_error("sessions_attended", "Sessions attended cannot be more than sessions possible")
        return data


class ExclusionForm(VersionedForm):
    """A suspension (its length in days or sessions) or a permanent exclusion, with a reason from the
    school's list or a new one (which joins the list)."""

    kind = forms.ChoiceField(
        label="What happened",
        choices=Exclusion.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a suspension or a permanent exclusion"},
    )
    starts_on = ThreePartDateField(label="First day")
    length = forms.DecimalField(
        label="Length of a suspension",
        required=False,
        min_value=Decimal("0.5"),
        max_digits=4,
        decimal_places=1,
        help_text="Leave empty for a permanent exclusion",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input-width-4"}),
        error_messages={
            "invalid": "Enter the length as a number, like 2.5",
            "min_value": "A suspension is at least half a day (1 session)",
            "max_decimal_places": "Enter whole sessions, or days in halves (for example 2.5)",
            "max_digits": "A suspension is at most 45 school days (90 sessions)",
            "max_whole_digits": "A suspension is at most 45 school days (90 sessions)",
        },
    )
    unit = forms.ChoiceField(
        label="The length is in",
        choices=[("days", "School days (half days allowed, for example 2.5)"), ("sessions", "Sessions (two a day)")],
        initial="days",
        required=False,  # days unless sessions are chosen; a permanent exclusion has no length
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(label="Reason", required=False)
    new_reason = forms.CharField(
        label="Or a reason not in the list",
        required=False,
        max_length=100,
        help_text="It is added to your school's list",
    )
    details = forms.CharField(
        label="What happened, briefly (optional)",
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, reasons: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "Choose a reason"), *[(r, r) for r in reasons]]

    def clean(self):
        data = super().clean()
        kind, length, unit = data.get("kind"), data.get("length"), data.get("unit") or "days"
        if kind == Exclusion.Kind.SUSPENSION:
            sessions = None if length is None else length * 2 if unit == "days" else length
            if length is None:
                self.add_error("length", "Enter how long the suspension is")
            elif sessions != sessions.to_integral_value():
                self.add_error("length", "Enter whole sessions, or days in halves (for example 2.5)")
            elif sessions > MAX_SESSIONS:
                self.add_error("length", "A suspension is at most 45 school days (90 sessions)")
            else:
                data["sessions"] = int(sessions)
        elif kind == Exclusion.Kind.PERMANENT and length is not None:
            self.add_error("length", "A permanent exclusion has no length: leave it empty")
        reason, new_reason = data.get("reason"), " ".join(data.get("new_reason", "").split())
        if reason and new_reason:
            self.add_error("new_reason", "Choose a reason from the list or type a new one, not both")
        elif not reason and not new_reason:
            self.add_error("reason", "Choose the reason, or type one not in the list")
        data["reason"] = reason or new_reason
        return data

    def exclusion_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in ("kind", "starts_on", "reason", "details")}
        return fields | {"sessions": data.get("sessions")}


class WeeklyImportForm(Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: UPN, week, positive, negative, attended, possible",
        error_messages={"required": "Choose a CSV file"},
    )
    dry_run = forms.BooleanField(label="Check only: do not save", required=False)


# The pupil's three answers, each shown with a symbol and words (Unicode emoji: openly usable, no
# licensed symbol set), most sure first as the pupil reads them.
VOICE_SYMBOLS = {
    PupilVoiceEntry.Rating.CAN_DO: ("👍", "I can"),
    PupilVoiceEntry.Rating.GETTING_THERE: ("🙂", "Getting there"),
    PupilVoiceEntry.Rating.NOT_YET: ("🌱", "Not yet"),
}


class VoiceAnswersForm(OnceForm):
    """One optional answer and the pupil's own words for each of their current targets."""

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = list(targets)
        for target in self.targets:
            self.fields[f"rating_{target.pk}"] = forms.TypedChoiceField(
                label=target.description,
                choices=[(value, words) for value, (_, words) in VOICE_SYMBOLS.items()],
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"words_{target.pk}"] = forms.CharField(
                label="What the pupil says (optional)", max_length=300, required=False
            )

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(f"rating_{t.pk}") for t in self.targets):
            raise forms.ValidationError("Choose an answer for at least one target.")
        for target in self.targets:
            if data.get(f"words_{target.pk}") and not data.get(f"rating_{target.pk}"):
                self.add_error(f"rating_{target.pk}", "Choose an answer for this target as well as the words")
        return data

    def rows(self) -> list[tuple]:
        """(target, its answer field, [(radio, symbol)], its words field) for the template."""
        rows = []
        for target in self.targets:
            rating = self[f"rating_{target.pk}"]
            choices = [(radio, VOICE_SYMBOLS[int(radio.data["value"])][0]) for radio in rating]
            rows.append((target, rating, choices, self[f"words_{target.pk}"]))
        return rows

    def answers(self) -> list[VoiceAnswer]:
        data = self.cleaned_data
        return [
            VoiceAnswer(target=t, rating=data[f"rating_{t.pk}"], words=data.get(f"words_{t.pk}", ""))
            for t in self.targets
            if data.get(f"rating_{t.pk}")
        ]


class LeaveVoiceForm(Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password to unlock this tablet"},
    )
