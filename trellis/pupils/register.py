"""The SEN register: filtering the pupils a user may see, and the rows of its table and downloads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django import forms
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from trellis.lib.forms import Form
from trellis.lib.query import check_query
from trellis.schools.models import School, TeachingGroup

from .models import GroupMembership, NeedType, Pupil, PupilNeed, SenStatus, nc_year_label

# The headings the importer recognises, so a register download round-trips through Excel.
DOWNLOAD_HEADINGS = [
    "UPN",
    "Legal Surname",
    "Legal Forename",
    "Preferred Surname",
    "Preferred Forename",
    "DOB",
    "Gender",
    "Year",
    "Reg Group",
    "SEN Status",
    "Primary Need",
    "Secondary Need",
    "FSM",
    "Pupil Premium",
    "EAL",
    "Looked After",
    "Ethnicity",
]

ANY_SEN = "sen"
STATUS_FILTER_CHOICES = [
    (ANY_SEN, "Any SEN status (support, EHC plan, monitoring)"),
    ("all", "All pupils"),
    (SenStatus.SEN_SUPPORT, "SEN support (K)"),
    (SenStatus.EHC_PLAN, "EHC plan (E)"),
    (SenStatus.MONITORING, "Monitoring"),
    (SenStatus.NONE, "No SEN (N)"),
]
YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]


class RegisterFilterForm(Form):
    """The register's filters; they live in the URL so a view can be bookmarked and shared."""

    q = forms.CharField(label="Name or UPN", required=False, max_length=100)
    status = forms.ChoiceField(label="SEN status", choices=STATUS_FILTER_CHOICES, required=False)
    need = forms.ChoiceField(label="Need (primary or secondary)", required=False)
    area = forms.ChoiceField(label="Broad area of need", required=False)
    year = forms.ChoiceField(label="Year group", required=False)
    group = forms.ChoiceField(label="Class", required=False)
    pupil_premium = forms.ChoiceField(label="Pupil premium", choices=YES_NO, required=False)
    sex = forms.ChoiceField(label="Sex", choices=[("", "Any"), *Pupil.Sex.choices], required=False)

    def __init__(self, data, *, school: School, groups: QuerySet[TeachingGroup]):
        super().__init__(data)
        needs = list(NeedType.objects.values_list("code", "name", "broad_area"))
        self.fields["need"].choices = [("", "Any"), *[(code, f"{name} ({code})") for code, name, _ in needs]]
        areas = sorted({area for _, _, area in needs})
        self.fields["area"].choices = [("", "Any"), *[(area, area) for area in areas]]
        years = sorted({year for year in groups.values_list("nc_year", flat=True) if year is not None})
        self.fields["year"].choices = [("", "Any"), *[(str(y), nc_year_label(y)) for y in years]]
        self.fields["group"].choices = [("", "Any"), *[(str(g.pk), g.name) for g in groups]]

    def apply(self, pupils: QuerySet[Pupil]) -> QuerySet[Pupil]:
        data = check_query(self) if self.is_bound else {}  # a value not offered is a 400 saying which
        status = data.get("status") or ANY_SEN
        if status == ANY_SEN:
            pupils = pupils.exclude(sen_status=SenStatus.NONE)
        elif status != "all":
            pupils = pupils.filter(sen_status=status)
        current_needs = PupilNeed.objects.filter(ends_on__isnull=True)
        if need := data.get("need"):
            pupils = pupils.filter(pk__in=current_needs.filter(need_id=need).values("pupil_id"))
        if area := data.get("area"):
            pupils = pupils.filter(pk__in=current_needs.filter(need__broad_area=area).values("pupil_id"))
        if year := data.get("year"):
            pupils = pupils.filter(nc_year=int(year))
        if group := data.get("group"):
            pupils = pupils.filter(pk__in=current_memberships().filter(group_id=int(group)).values("pupil_id"))
        if pp := data.get("pupil_premium"):
            pupils = pupils.filter(pupil_premium=(pp == "yes"))
        if sex := data.get("sex"):
            pupils = pupils.filter(sex=sex)
        if q := (data.get("q") or "").strip():
            for word in q.split():
                pupils = pupils.filter(
                    Q(legal_surname__icontains=word)
                    | Q(legal_forename__icontains=word)
                    | Q(preferred_surname__icontains=word)
                    | Q(preferred_forename__icontains=word)
                    | Q(upn__iexact=word)
                )
        return pupils


def current_memberships(today: dt.date | None = None) -> QuerySet[GroupMembership]:
    today = today or timezone.localdate()
    return GroupMembership.objects.filter(
        Q(starts_on__isnull=True) | Q(starts_on__lte=today),
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        group__kind=TeachingGroup.Kind.REGISTRATION,
        group__academic_year__starts_on__lte=today,
        group__academic_year__ends_on__gte=today,
    )


def with_register_columns(pupils: QuerySet[Pupil]) -> QuerySet[Pupil]:
    """Class and secondary need as subqueries: one query for the whole table, however long."""
    return pupils.select_related("primary_need").annotate(
        class_name=Subquery(current_memberships().filter(pupil=OuterRef("pk")).values("group__name")[:1]),
        secondary_need=Subquery(
            PupilNeed.objects.filter(pupil=OuterRef("pk"), rank=2, ends_on__isnull=True).values("need_id")[:1]
        ),
    )


def status_counts(pupils: QuerySet[Pupil]) -> dict[str, int]:
    counts = dict(pupils.order_by().values_list("sen_status").annotate(n=Count("pk")))
    return {label: counts.get(code, 0) for code, label in SenStatus.choices}


def download_rows(pupils: QuerySet[Pupil]) -> Iterator[list]:
    for p in with_register_columns(pupils).iterator(chunk_size=2000):
        yield [
            p.upn,
            p.legal_surname,
            p.legal_forename,
            p.preferred_surname,
            p.preferred_forename,
            p.date_of_birth,
            p.sex,
            p.nc_year_label,
            p.class_name,
            p.sen_status,
            p.primary_need_id,
            p.secondary_need,
            p.fsm,
            p.pupil_premium,
            p.eal,
            p.looked_after,
            p.ethnicity,
        ]
