"""Pupils and the SEN register: status history, ranked needs, EHC plans, sharing."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from trellis.lib.upn import InvalidUPN, normalise_upn


class SenStatus(models.TextChoices):
    """Census SEN provision codes, plus the school-local 'monitoring' which reports as N."""

    NONE = "N", "No SEN"
    MONITORING = "M", "Monitoring"
    SEN_SUPPORT = "K", "SEN support"
    EHC_PLAN = "E", "EHC plan"

    @classmethod
    def census_code(cls, status: str) -> str:
        return cls.NONE if status == cls.MONITORING else status

    @classmethod
    def api_code(cls, status: str) -> str:
        """N, K, E, or 'monitoring' (the API keeps monitoring distinct from N)."""
        return "monitoring" if status == cls.MONITORING else status


class NeedType(models.Model):
    """A census SEN type of need (SLCN, ASD, ...). Kept as data so the list can be corrected."""

    code = models.CharField(max_length=8, primary_key=True)
    name = models.CharField(max_length=100)
    broad_area = models.CharField(max_length=60)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


NC_YEAR_LABELS = {-2: "N1", -1: "N2", 0: "R"}


def nc_year_label(year: int | None) -> str:
    if year is None:
        return "X"
    return NC_YEAR_LABELS.get(year, str(year))


def parse_nc_year(value: str) -> int | None:
    """'R' -> 0, 'N1' -> -2, '7' -> 7, 'X' or '' -> None; ValueError otherwise."""
    text = str(value).strip().upper().removeprefix("YEAR").strip()
    if text in {"", "X"}:
        return None
    for year, label in NC_YEAR_LABELS.items():
        if text == label:
            return year
    year = int(text)
    if not 1 <= year <= 14:
        raise ValueError(f"NC year {value!r} is not R, N1, N2, X or 1 to 14")
    return year


class PupilQuerySet(models.QuerySet):
    def visible_to(self, user, *, register: bool = False, family: bool = False) -> PupilQuerySet:
        """Pupils whose SEN record (or with register=True, register entry; with family=True, a
        parent's own children too) this user may see: see trellis.pupils.access."""
        from .access import visible_pupil_filter

        return self.filter(visible_pupil_filter(user, register=register, family=family))

    def by_shown_name(self) -> PupilQuerySet:
        """In the order of the names pages show (the preferred name where there is one, as `surname`
        and `forename` give it), not the legal names behind them."""
        shown = [Coalesce(NullIf(f"preferred_{part}", Value("")), f"legal_{part}") for part in ("surname", "forename")]
        return self.order_by(*shown, "pk")

    def on_roll(self, on: dt.date | None = None) -> PupilQuerySet:
        on = on or timezone.localdate()
        return self.filter(models.Q(left_on__isnull=True) | models.Q(left_on__gt=on))


class Pupil(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"

    class Destination(models.TextChoices):
        MAINSTREAM_SCHOOL = "mainstream", "Mainstream school"
        SPECIAL_SCHOOL = "special", "Special school"
        ALTERNATIVE = "alternative", "Alternative provision"
        SIXTH_FORM = "sixth_form", "School sixth form"
        COLLEGE = "college", "Further education college"
        APPRENTICESHIP = "apprenticeship", "Apprenticeship"
        EMPLOYMENT = "employment", "Employment with training"
        SUPPORTED_INTERNSHIP = "internship", "Supported internship"
        NEET = "neet", "Not in education, employment or training"
        ELECTIVE_HOME = "home", "Elective home education"
        UNKNOWN = "unknown", "Not known"

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="pupils")
    upn = models.CharField("UPN", max_length=13)
    legal_surname = models.CharField(max_length=100)
    legal_forename = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=100, blank=True)
    preferred_surname = models.CharField(max_length=100, blank=True)
    preferred_forename = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    nc_year = models.SmallIntegerField("NC year", null=True, blank=True, help_text="R = 0, N1 = -2, N2 = -1")
    ethnicity = models.CharField(max_length=4, blank=True, help_text="DfE ethnicity code, e.g. WBRI")
    eal = models.BooleanField("English as an additional language", default=False)
    fsm = models.BooleanField("free school meals", default=False)
    pupil_premium = models.BooleanField(default=False)
    looked_after = models.BooleanField(default=False)
    has_medical_notes = models.BooleanField("medical notes", default=False)
    enrolled_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)
    destination = models.CharField(max_length=16, choices=Destination.choices, blank=True)
    destination_on = models.DateField(null=True, blank=True)
    is_confidential = models.BooleanField(
        "confidential", default=False, help_text="Only the SENCO and senior leaders can see this pupil."
    )
    # Current values, kept by trellis.pupils.services in the same transaction as the history
    # rows, so the register and dashboards filter without reading the history.
    sen_status = models.CharField(max_length=1, choices=SenStatus.choices, default=SenStatus.NONE)
    primary_need = models.ForeignKey(NeedType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = PupilQuerySet.as_manager()

    class Meta:
        ordering = ["legal_surname", "legal_forename"]
        constraints = [models.UniqueConstraint(fields=["school", "upn"], name="unique_upn_per_school")]
        indexes = [
            models.Index(fields=["school", "sen_status"]),
            models.Index(fields=["school", "nc_year"]),
            # The lowest and highest year on roll across many schools (a trust dashboard's year list):
            # read from either end of this index rather than from every pupil.
            models.Index(fields=["nc_year", "school"], name="pupil_years_across_schools"),
            models.Index(fields=["upn"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        try:
            self.upn = normalise_upn(self.upn)
        except InvalidUPN as error:
            raise ValidationError({"upn": str(error)}) from error

    @property
    def forename(self) -> str:
        return self.preferred_forename or self.legal_forename

    @property
    def surname(self) -> str:
        return self.preferred_surname or self.legal_surname

    @property
    def full_name(self) -> str:
        return f"{self.forename} {self.surname}"

    @property
    def nc_year_label(self) -> str:
        return nc_year_label(self.nc_year)

    def age_on(self, on: dt.date) -> int:
        dob = self.date_of_birth
        return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


class GroupMembership(models.Model):
    """A pupil in a class or teaching group, from a date until a date (open-ended while there)."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="group_memberships")
    group = models.ForeignKey("schools.TeachingGroup", on_delete=models.CASCADE, related_name="memberships")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["group", "pupil"])]

    def __str__(self) -> str:
        return f"{self.pupil} in {self.group}"


class SenStatusEntry(models.Model):
    """One period of a SEN status; the open one (no end date) is current."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Entered in Trellis"
        IMPORT = "import", "Imported"
        IDENTIFICATION = "identification", "Identification decision"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="sen_history")
    status = models.CharField(max_length=1, choices=SenStatus.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil"], condition=models.Q(ends_on__isnull=True), name="one_current_sen_status"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} from {self.starts_on}"


class PupilNeed(models.Model):
    """A ranked need (1 primary, 2 secondary) for a period; the open ones are current."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="need_history")
    need = models.ForeignKey(NeedType, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ends_on", "rank", "-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "rank"], condition=models.Q(ends_on__isnull=True), name="one_current_need_per_rank"
            )
        ]
        indexes = [
            models.Index(fields=["need", "rank"], condition=models.Q(ends_on__isnull=True), name="current_needs")
        ]

    def __str__(self) -> str:
        return f"{self.need_id} (rank {self.rank}) from {self.starts_on}"


class EhcPlan(models.Model):
    """The local authority's EHC plan: its dates (the plan's outcomes live with the pupil's plans)."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="ehc_plans")
    local_authority = models.CharField(max_length=100, blank=True)
    issued_on = models.DateField()
    last_annual_review_on = models.DateField(null=True, blank=True)
    next_annual_review_due = models.DateField()
    ceased_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_on"]
        indexes = [
            models.Index(
                fields=["next_annual_review_due"], condition=models.Q(ceased_on__isnull=True), name="ehc_reviews_due"
            )
        ]

    def __str__(self) -> str:
        return f"EHC plan issued {self.issued_on}"

    def is_review_overdue(self, on: dt.date | None = None) -> bool:
        return self.ceased_on is None and self.next_annual_review_due < (on or timezone.localdate())


class ExternalShare(models.Model):
    """A pupil shared with an external specialist (EP, SaLT, OT...) until a date."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="shares")
    specialist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shared_pupils")
    reason = models.CharField(max_length=200, blank=True)
    expires_on = models.DateField()
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-expires_on"]

    def __str__(self) -> str:
        return f"{self.pupil} shared with {self.specialist} until {self.expires_on}"

    def is_active(self, on: dt.date | None = None) -> bool:
        return self.expires_on >= (on or timezone.localdate())
