"""``siaga user create|role|unrole``: accounts and their roles within a government."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from siaga.core.models import Government, Role
from siaga.core.services import role_assign, role_revoke, user_create


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = "Create accounts and give or take roles (admin = BKPSDM, health = task force, service_officer)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create an account with a role.")
        create.add_argument("username")
        create.add_argument("--government", required=True, help="region code, e.g. 33.11")
        create.add_argument("--role", choices=Role.values, action="append", default=[])
        create.add_argument("--email", default="")
        create.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input (else prompt)"
        )
        for name, text in (("role", "Give a role."), ("unrole", "Take a role away.")):
            p = sub.add_parser(name, help=text)
            p.add_argument("username")
            p.add_argument("--government", required=True)
            p.add_argument("--role", choices=Role.values, required=True)

    def _government(self, code: str) -> Government:
        government = Government.objects.filter(code=code).first()
        if government is None:
            raise CommandError(f"No government with code {code}; see `siaga government list`.")
        return government

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        government = self._government(options["government"])
        if action == "create":
            if options["password_stdin"]:
                password = sys.stdin.readline().rstrip("\n")
            else:
                password = getpass.getpass("Password: ")
                if password != getpass.getpass("Password (again): "):
                    raise CommandError("The passwords differ.")
            try:
                with transaction.atomic():
                    user = user_create(
                        username=options["username"], email=options["email"], password=password, government=government
                    )
                    for role in options["role"]:
                        role_assign(user=user, government=government, role=role)
            except ValidationError as exc:
                raise CommandError(_errors(exc)) from None
            roles = ", ".join(options["role"]) or "none (link the account to an employee to give it one)"
            self.stdout.write(
                self.style.SUCCESS(f"Created {user.get_username()} in {government.code}; roles: {roles}.")
            )
            return
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No account named {options['username']}.")
        if action == "role":
            role_assign(user=user, government=government, role=options["role"])
            self.stdout.write(
                self.style.SUCCESS(f"{user.get_username()} is now {options['role']} in {government.code}.")
            )
        else:
            removed = role_revoke(user=user, government=government, role=options["role"])
            self.stdout.write(f"{'Removed' if removed else 'Had no'} role {options['role']} for {user.get_username()}.")
