"""``siaga token``: API tokens for other systems (SIMPEG, e-Kinerja) from the command line.

    siaga token create --government 33.11 --user bkpsdm --name "SIMPEG" --scope org:write [--scope …] [--days 365]
    siaga token list [--government 33.11]
    siaga token revoke sga_AbC123 [--government 33.11]

``create`` prints the key once on standard output (and nothing else there, so scripts can capture it);
only its hash is stored. ``--scope`` (repeatable) names what the token may call: ``AREA:read`` or
``AREA:write`` (which includes read) for the areas of ``siaga.core.scopes``, or ``all``. The same tokens
are managed in the web app at /tokens/.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models
from django.utils import timezone

from siaga.core import scopes, services
from siaga.core.access import actor_for_user
from siaga.core.models import ApiToken, Government

MAX_DAYS = 730


class Command(BaseCommand):
    help = "Create, list or revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")

        create = sub.add_parser("create", help="Create a token and print its key once.")
        create.add_argument("--government", required=True, help="Region code of the government, e.g. 33.11.")
        create.add_argument("--user", required=True, help="Username the token acts as.")
        create.add_argument("--name", required=True, help='Name of the calling system, e.g. "SIMPEG".')
        create.add_argument(
            "--scope",
            action="append",
            required=True,
            dest="scopes",
            metavar="AREA:LEVEL",
            help=(
                "What the token may call, repeatable: AREA:read or AREA:write (includes read), or all. "
                f"Areas: {', '.join(scopes.AREAS)}."
            ),
        )
        create.add_argument(
            "--days", type=int, default=365, help=f"Days until the token expires (1–{MAX_DAYS}, default 365)."
        )

        listing = sub.add_parser("list", help="List tokens (prefix, name, user, expiry, state).")
        listing.add_argument("--government", help="Only this government's tokens.")

        revoke = sub.add_parser("revoke", help="Revoke the token with this prefix.")
        revoke.add_argument("prefix", help="The token's prefix as listed, e.g. sga_AbC123.")
        revoke.add_argument("--government", help="The token's government, when a prefix is ambiguous.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "list":
            self._list(options)
        else:
            self._revoke(options)

    def _government(self, code: str) -> Government:
        government = Government.objects.filter(code=code, is_active=True).first()
        if government is None:
            raise CommandError(f"No active government with region code {code}.")
        return government

    def _create(self, options: dict[str, Any]) -> None:
        government = self._government(options["government"])
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']}.")
        if actor_for_user(user, government_id=government.pk).government_id != government.pk:
            raise CommandError(
                f"User {user.get_username()} has no role in {government.code} {government.name}; "
                "assign a role first, or the token could not do anything."
            )
        days = options["days"]
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_DAYS}.")
        name = options["name"].strip()
        max_length = cast(models.CharField, ApiToken._meta.get_field("name")).max_length or 0
        if not name or len(name) > max_length:
            raise CommandError(f"--name must be 1 to {max_length} characters.")
        wanted = scopes.ALL_SCOPES if "all" in options["scopes"] else options["scopes"]
        try:
            scopes.normalise(wanted)
        except ValueError as exc:
            raise CommandError(
                f"Unknown scope {exc}. Use AREA:read or AREA:write with an area of: {', '.join(scopes.AREAS)}; or all."
            ) from exc
        token, key = services.api_token_create(
            government=government,
            user=user,
            name=name,
            actor=None,
            expires_at=timezone.now() + dt.timedelta(days=days),
            scopes=wanted,
        )
        self.stdout.write(key)
        expires = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M") if token.expires_at else "-"
        self.stderr.write(
            f"Token {token.prefix} “{token.name}” acts as {user.get_username()} in {government.code} until "
            f"{expires}, scopes {token.scope_summary}. Copy the key now: it is not shown again."
        )

    def _list(self, options: dict[str, Any]) -> None:
        tokens = ApiToken.objects.select_related("user", "government").order_by("government__code", "-created_at")
        if options.get("government"):
            tokens = tokens.filter(government=self._government(options["government"]))
        now = timezone.now()
        for token in tokens:
            if token.revoked_at is not None:
                state = "revoked"
            elif token.expires_at is not None and token.expires_at <= now:
                state = "expired"
            else:
                state = "active"
            expires = timezone.localtime(token.expires_at).strftime("%Y-%m-%d") if token.expires_at else "-"
            used = timezone.localtime(token.last_used_at).strftime("%Y-%m-%d %H:%M") if token.last_used_at else "-"
            self.stdout.write(
                f"{token.prefix}\t{token.government.code}\t{token.user.get_username()}\t{token.name}\t"
                f"expires {expires}\tlast used {used}\t{state}\tscopes {token.scope_summary}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        tokens = ApiToken.objects.filter(prefix=options["prefix"], revoked_at__isnull=True)
        if options.get("government"):
            tokens = tokens.filter(government=self._government(options["government"]))
        found = list(tokens[:2])
        if not found:
            raise CommandError(f"No active token with prefix {options['prefix']}.")
        if len(found) > 1:
            raise CommandError(f"More than one token has prefix {options['prefix']}; add --government.")
        token = found[0]
        services.api_token_revoke(token=token, actor=None)
        self.stdout.write(f"Token {token.prefix} “{token.name}” revoked.")
