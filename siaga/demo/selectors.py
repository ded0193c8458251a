"""Reads of the demo app: the demo accounts as they are in the database."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from siaga.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoAccount
from siaga.org.models import Employee


@dataclass(frozen=True)
class AccountRow:
    account: DemoAccount
    password: str
    exists: bool
    employee: str  # "name · unit" of the linked employee, or ""


def demo_account_rows() -> list[AccountRow]:
    """Every demo account, whether it exists, and the employee it is linked to."""
    usernames = [a.username for a in DEMO_ACCOUNTS]
    existing = set(get_user_model().objects.filter(username__in=usernames).values_list("username", flat=True))
    linked = {
        e.user.get_username(): f"{e.name} · {e.unit.name}"
        for e in Employee.objects.filter(user__username__in=usernames).select_related("user", "unit")
        if e.user is not None
    }
    return [
        AccountRow(
            account=a,
            password=DEMO_PASSWORD,
            exists=a.username in existing,
            employee=linked.get(a.username, ""),
        )
        for a in DEMO_ACCOUNTS
    ]
