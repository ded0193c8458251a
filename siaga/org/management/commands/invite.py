"""``siaga invite --government CODE [--unit CODE]``: accounts for employees who have none yet."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from siaga.core.models import Government
from siaga.org.models import Employee, Unit
from siaga.org.selectors import unit_descendant_ids
from siaga.org.services import employee_account_create


class Command(BaseCommand):
    help = (
        "Create a login (user name = NIP) for every active employee without one who has an e-mail address or "
        "a WhatsApp number, and send each a link to choose a password."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--government", required=True, help="region code, e.g. 33.11")
        parser.add_argument("--unit", help="only this unit and the units below it (unit code)")
        parser.add_argument("--dry-run", action="store_true", help="only count who would be invited")

    def handle(self, *args: Any, **options: Any) -> None:
        government = Government.objects.filter(code=options["government"]).first()
        if government is None:
            raise CommandError(f"No government with code {options['government']}; see `siaga government list`.")
        employees = Employee.objects.filter(government=government, is_active=True, user__isnull=True)
        if options["unit"]:
            unit = Unit.objects.filter(government=government, code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"No unit with code {options['unit']} in {government.code}.")
            employees = employees.filter(
                unit_id__in=unit_descendant_ids(government_id=government.pk, unit_ids=[unit.pk])
            )
        reachable = employees.exclude(Q(email="") & Q(phone=""))
        unreachable = employees.count() - reachable.count()
        if options["dry_run"]:
            self.stdout.write(f"Would invite {reachable.count()}; {unreachable} have no e-mail or WhatsApp number.")
            return
        invited, failed = 0, []
        for employee in reachable.order_by("nip").iterator():
            try:
                employee_account_create(employee=employee)
            except ValidationError as exc:
                failed.append(f"{employee.nip}: {' '.join(exc.messages)}")
            else:
                invited += 1
        for line in failed:
            self.stderr.write(line)
        self.stdout.write(
            f"Invited {invited}; {unreachable} have no e-mail or WhatsApp number; {len(failed)} could not be invited."
        )
