"""``siaga government create|list``: register the governments this instance serves."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from siaga.core.models import Government
from siaga.core.services import government_create


class Command(BaseCommand):
    help = "Register a government (tenant) or list them."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Register a government.")
        create.add_argument("code", help="Kemendagri region code, e.g. 33.11 (regency/city) or 33 (province)")
        create.add_argument("name", help='e.g. "Kabupaten Sukoharjo"')
        create.add_argument("--kind", choices=Government.Kind.values, required=True)
        create.add_argument("--zone", choices=Government.Zone.values, default="WIB")
        create.add_argument("--workweek", choices=Government.Workweek.values, default="mon-fri")
        sub.add_parser("list", help="List the governments.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "list":
            for g in Government.objects.order_by("code"):
                self.stdout.write(f"{g.code:<6} {g.name}  ({g.get_kind_display()}, {g.zone}, {g.workweek})")
            return
        try:
            government = government_create(
                code=options["code"],
                name=options["name"],
                kind=options["kind"],
                zone=options["zone"],
                workweek=options["workweek"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        self.stdout.write(self.style.SUCCESS(f"Registered {government.name} ({government.code})."))
