"""Small helpers for integration tests that need only a user of a role."""

from django.contrib.auth.models import Group

from microcredit.apps.accounts.models import User


def user_with_role(role: str, *, username: str | None = None, scope_regions: list[str] | None = None, bank=None) -> User:
    """A user in the role's group, scoped to the given prefixes (default: a fictional county)."""
    user = User.objects.create_user(
        username=username or f"{role}-user", password="pw-123456", role=role,
        scope_regions=scope_regions if scope_regions is not None else ["621221"], bank=bank,
    )
    user.groups.add(Group.objects.get(name=role))
    return user
