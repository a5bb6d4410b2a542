"""Who may manage sign-in: unlock a locked account or address, see and revoke API tokens."""

from __future__ import annotations

from .models import ApiToken, Membership, Role, User


def administered_schools(user: User) -> list[int]:
    """Schools where `user` is the school's administrator (office)."""
    if not user.is_authenticated:
        return []
    return list(user.memberships.filter(role=Role.ADMINISTRATOR).values_list("school_id", flat=True))


def can_manage_sign_in(user: User) -> bool:
    """Sees the locked-out accounts page: a superuser, or a school's administrator."""
    return user.is_authenticated and user.is_active and (user.is_superuser or bool(administered_schools(user)))


def unlockable_usernames(user: User, usernames: list[str]) -> set[str]:
    """Of these locked usernames, those `user` may unlock: any for a superuser; for a school's
    administrator, the people with a role at that school (never a superuser)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return set(usernames)
    schools = administered_schools(user)
    return set(
        Membership.objects.filter(
            school_id__in=schools, user__username__in=usernames, user__is_superuser=False
        ).values_list("user__username", flat=True)
    )


def can_unlock_address(user: User) -> bool:
    """An address serves many people, perhaps several schools: a superuser's decision."""
    return user.is_authenticated and user.is_active and user.is_superuser


def can_revoke_token(user: User, token: ApiToken) -> bool:
    return user.is_authenticated and (token.user_id == user.pk or user.is_superuser)
