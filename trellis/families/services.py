"""Parents and carers: invitations, links, views, agreeing the plan and consent. Every change is
audited in the same transaction as the change."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from trellis.accounts.models import User
from trellis.audit import services as audit
from trellis.audit.models import AuditEvent
from trellis.plans.models import Plan
from trellis.pupils import services as pupils
from trellis.pupils.models import ExternalShare

from .age import decides_for_themselves
from .models import Carer, Consent, Invitation, ParentView, PlanResponse, PupilLogin, Relationship


class FamilyError(ValueError):
    """A request that cannot be done, with a message saying why."""


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def invite(*, pupil, email: str, relationship: str, by, now: dt.datetime | None = None) -> tuple[Invitation, str]:
    """A one-time invitation; returns it and the token (shown once, never stored)."""
    now = now or timezone.now()
    if relationship not in Relationship.values:
        raise FamilyError(f"Choose who they are to {pupil.forename}.")
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        pupil=pupil,
        email=email.strip().lower(),
        relationship=relationship,
        token_hash=token_hash,
        created_by=by,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.FAMILY_INVITATION_DAYS),
    )
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="family invitation",
        pupil=pupil,
        record_id=invitation.pk,
        summary=f"Invited {invitation.email} ({invitation.get_relationship_display()})",
        changes={"email": [None, invitation.email], "expires_at": [None, invitation.expires_at.isoformat()]},
    )
    return invitation, token


def open_invitation(token: str, now: dt.datetime | None = None) -> Invitation | None:
    """The invitation this link is for, if it is unused and in date; None otherwise."""
    found = Invitation.objects.select_related("pupil").filter(token_hash=Invitation.hash(token or "")).first()
    if found is None or not found.is_open(now or timezone.now()):
        return None
    return found


@transaction.atomic
def accept_invitation(*, token: str, username: str, password: str, first_name: str, last_name: str) -> Carer:
    """Make the parent's account from the link and link it to the child. The link then stops working."""
    now = timezone.now()
    invitation = Invitation.objects.select_for_update().filter(token_hash=Invitation.hash(token or "")).first()
    if invitation is None or not invitation.is_open(now):
        raise FamilyError("This link has expired or has been used. Ask the school for a new one.")
    if User.objects.filter(username__iexact=username).exists():
        raise FamilyError("That username is taken. Choose another.")
    user = User.objects.create_user(
        username=username, password=password, email=invitation.email, first_name=first_name, last_name=last_name
    )
    carer = Carer.objects.create(user=user, pupil=invitation.pupil, relationship=invitation.relationship)
    invitation.used_at, invitation.used_by = now, user
    invitation.save(update_fields=["used_at", "used_by"])
    audit.record(
        actor=user,
        action=AuditEvent.Action.CREATE,
        record_type="family invitation",
        pupil=invitation.pupil,
        record_id=invitation.pk,
        summary=f"Invitation used by {username} to make their account",
        changes={"used_at": [None, now.isoformat()]},
    )
    return carer


@transaction.atomic
def link_carer(*, pupil, user, relationship: str, by) -> Carer:
    """Link an existing account (another child's parent, a virtual school head or a social worker)."""
    if relationship not in Relationship.values:
        raise FamilyError(f"Choose who they are to {pupil.forename}.")
    carer, created = Carer.objects.get_or_create(user=user, pupil=pupil, defaults={"relationship": relationship})
    if not created:
        raise FamilyError(f"{_name(user)} is already linked to {pupil.forename}.")
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="carer",
        pupil=pupil,
        record_id=carer.pk,
        summary=f"Linked {user.get_username()} as {carer.get_relationship_display()}",
    )
    return carer


@transaction.atomic
def restrict_carer(*, carer: Carer, restricted: bool, reason: str, by) -> None:
    """Stop (or restore) a carer's access, for example under a court order. A reason is required."""
    reason = reason.strip()
    if restricted and not reason:
        raise FamilyError("Give the reason for restricting access, for example the court order.")
    before = audit.snapshot(carer, ["restricted", "restricted_reason"])
    carer.restricted, carer.restricted_reason = restricted, reason
    carer.restricted_by, carer.restricted_at = by, timezone.now()
    carer.save(update_fields=["restricted", "restricted_reason", "restricted_by", "restricted_at"])
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="carer",
        pupil=carer.pupil,
        record_id=carer.pk,
        summary=("Restricted" if restricted else "Restored") + f" access for {carer.user.get_username()}",
        changes=audit.diff(before, audit.snapshot(carer, ["restricted", "restricted_reason"])),
    )


def _check_plan(plan: Plan) -> None:
    if plan.state != Plan.State.ACTIVE:
        raise FamilyError("This plan is no longer the current plan. Go back to see the current one.")


@transaction.atomic
def add_views(*, plan: Plan, by, text: str) -> ParentView:
    text = text.strip()
    if not text:
        raise FamilyError("Write your views in the box.")
    _check_plan(plan)
    view = ParentView.objects.create(
        plan=plan, pupil=plan.pupil, author=by, author_name=_name(by), text=text, plan_version=plan.version
    )
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="parent views",
        pupil=plan.pupil,
        record_id=view.pk,
        summary=f"Views on plan {plan.pk} (version {plan.version})",
    )
    return view


@transaction.atomic
def answer_plan(*, plan: Plan, by, answer: str, version: int, comment: str = "") -> PlanResponse:
    """Agree the plan or ask for a change, at the version the parent read (refused if it changed since)."""
    if answer not in PlanResponse.Answer.values:
        raise FamilyError("Choose whether you agree with the plan or want a change.")
    comment = comment.strip()
    if answer == PlanResponse.Answer.CHANGE and not comment:
        raise FamilyError("Say what you would like to change.")
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _check_plan(plan)
    if version != plan.version:
        raise FamilyError("The school changed the plan while you were reading it. Read it again, then answer.")
    response = PlanResponse.objects.create(
        plan=plan,
        pupil=plan.pupil,
        author=by,
        author_name=_name(by),
        answer=answer,
        plan_version=plan.version,
        comment=comment,
    )
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="plan agreement",
        pupil=plan.pupil,
        record_id=response.pk,
        summary=f"{response.get_answer_display()} (plan {plan.pk}, version {plan.version})",
        changes={"answer": [None, answer], "plan_version": [None, plan.version]},
    )
    return response


def consent_in_force(pupil, kind: str) -> Consent | None:
    return pupil.consents.filter(kind=kind).first()


@transaction.atomic
def set_consent(*, pupil, kind: str, given: bool, by, today: dt.date) -> Consent:
    """Give or withdraw consent. Withdrawing consent to share ends every share with a specialist at once."""
    if kind not in Consent.Kind.values:
        raise FamilyError("Choose what you are giving consent for.")
    if decides_for_themselves(pupil.date_of_birth, today):
        raise FamilyError(f"{pupil.forename} is over compulsory school age and decides this for themselves.")
    consent = Consent.objects.create(pupil=pupil, kind=kind, given=given, by=by, by_name=_name(by))
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="consent",
        pupil=pupil,
        record_id=consent.pk,
        summary=f"{consent.get_kind_display()}: {'given' if given else 'withdrawn'}",
        changes={kind: [None, given]},
    )
    if kind == Consent.Kind.SHARE_SPECIALIST and not given:
        for share in ExternalShare.objects.filter(pupil=pupil, expires_on__gte=today).select_related("pupil"):
            pupils.end_share(share=share, by=by)
    return consent


# --- Older pupils' own sign-in ------------------------------------------------------------------


@transaction.atomic
def set_pupil_sign_in(*, school, by, enabled: bool, from_year: int) -> None:
    """Switch pupils' own sign-ins on or off for the school, from an NC year (1 to 14)."""
    if not 1 <= from_year <= 14:
        raise FamilyError("The youngest year must be a year from 1 to 14.")
    fields = ["pupil_sign_in", "pupil_sign_in_from_year"]
    before = audit.snapshot(school, fields)
    school.pupil_sign_in, school.pupil_sign_in_from_year = enabled, from_year
    school.save(update_fields=fields)
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="pupil sign-in setting",
        school=school.pk,
        record_id=school.pk,
        summary=f"Pupils' own sign-in {'on' if enabled else 'off'}, from Year {from_year}",
        changes=audit.diff(before, audit.snapshot(school, fields)),
    )


@transaction.atomic
def give_pupil_sign_in(*, pupil, by, username: str, password: str) -> PupilLogin:
    """Make the pupil's own account (read only: their passport and plan). They change the password
    once signed in. A pupil has one sign-in; an ended one is replaced."""
    if PupilLogin.objects.filter(pupil=pupil, ended_at__isnull=True).exists():
        raise FamilyError(f"{pupil.forename} already has a sign-in. End it first to make a new one.")
    if User.objects.filter(username__iexact=username).exists():
        raise FamilyError("That username is taken. Choose another.")
    PupilLogin.objects.filter(pupil=pupil).delete()  # an ended sign-in: its account stays, unlinked
    user = User.objects.create_user(
        username=username, password=password, first_name=pupil.forename, last_name=pupil.surname
    )
    login = PupilLogin.objects.create(user=user, pupil=pupil, created_by=by)
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        record_type="pupil sign-in",
        pupil=pupil,
        record_id=login.pk,
        summary=f"Made {pupil.forename}'s own sign-in: {username}",
    )
    return login


@transaction.atomic
def end_pupil_sign_in(*, login: PupilLogin, by) -> None:
    login.ended_at = timezone.now()
    login.save(update_fields=["ended_at"])
    User.objects.filter(pk=login.user_id).update(is_active=False)
    audit.record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        record_type="pupil sign-in",
        pupil=login.pupil,
        record_id=login.pk,
        summary=f"Ended {login.pupil.forename}'s own sign-in",
        changes={"ended_at": [None, login.ended_at.isoformat()]},
    )
