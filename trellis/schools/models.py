"""The organisation: trusts, regions, schools, their calendar and their teaching groups."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone


class Trust(models.Model):
    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="regions")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["trust", "name"], name="unique_region_name")]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    class Phase(models.TextChoices):
        PRIMARY = "primary", "Primary"
        SECONDARY = "secondary", "Secondary"
        SPECIAL = "special", "Special"
        ALL_THROUGH = "all-through", "All-through"
        ALTERNATIVE = "alternative", "Alternative provision"

    urn = models.CharField("URN", max_length=8, unique=True, help_text="Unique reference number (6 digits)")
    name = models.CharField(max_length=200)
    la_number = models.CharField("LA number", max_length=3, blank=True)
    estab_number = models.CharField("establishment number", max_length=4, blank=True)
    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.PRIMARY)
    trust = models.ForeignKey(Trust, null=True, blank=True, on_delete=models.PROTECT, related_name="schools")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="schools")
    # Older pupils' own sign-in (trellis.families.PupilLogin): off until the SENCO switches it on,
    # and then only for pupils in this NC year or above.
    pupil_sign_in = models.BooleanField("pupils may have their own sign-in", default=False)
    pupil_sign_in_from_year = models.PositiveSmallIntegerField("from NC year", default=7)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def dfe_number(self) -> str:
        """LAESTAB, as the DfE and the CTF header write it (e.g. 8012000)."""
        return f"{self.la_number}{self.estab_number}"

    def current_academic_year(self, on: dt.date | None = None) -> AcademicYear | None:
        on = on or timezone.localdate()
        return self.academic_years.filter(starts_on__lte=on, ends_on__gte=on).first()


class AcademicYear(models.Model):
    """A school's year. Dates are the school's own; half-terms and assessment points hang off it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="academic_years")
    name = models.CharField(max_length=9, help_text="e.g. 2026/27")
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["school", "starts_on"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="unique_year_per_school")]

    def __str__(self) -> str:
        return self.name

    def half_term_on(self, on: dt.date) -> HalfTerm | None:
        return next((h for h in self.half_terms.all() if h.starts_on <= on <= h.ends_on), None)


class HalfTerm(models.Model):
    """One of six half-terms; terms are pairs of them (1-2 autumn, 3-4 spring, 5-6 summer)."""

    TERM_NAMES = {1: "Autumn", 2: "Spring", 3: "Summer"}

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="half_terms")
    number = models.PositiveSmallIntegerField(choices=[(n, str(n)) for n in range(1, 7)])
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["academic_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "number"], name="unique_half_term"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="half_term_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.term_name} {1 + (self.number - 1) % 2}"

    @property
    def term(self) -> int:
        return (self.number + 1) // 2

    @property
    def term_name(self) -> str:
        return self.TERM_NAMES[self.term]


class AssessmentPoint(models.Model):
    """When the school assesses (4 to 6 a year); the first of the year is the baseline."""

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="assessment_points")
    name = models.CharField(max_length=60)
    date = models.DateField()
    is_baseline = models.BooleanField(default=False)

    class Meta:
        ordering = ["academic_year", "date"]
        constraints = [models.UniqueConstraint(fields=["academic_year", "name"], name="unique_assessment_point")]

    def __str__(self) -> str:
        return self.name


class TeachingGroup(models.Model):
    """A class, set or other group; staff on it see its pupils (need to know)."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", "Registration class"
        TEACHING = "teaching", "Teaching group"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="groups")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=60)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.REGISTRATION)
    nc_year = models.SmallIntegerField("NC year", null=True, blank=True)

    class Meta:
        ordering = ["nc_year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "name"], name="unique_group_name_per_year"),
        ]

    def __str__(self) -> str:
        return self.name


class GroupStaff(models.Model):
    class Role(models.TextChoices):
        TEACHER = "teacher", "Teacher"
        TA = "ta", "Teaching assistant"

    group = models.ForeignKey(TeachingGroup, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_roles")
    role = models.CharField(max_length=8, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="unique_group_staff")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.group}"
