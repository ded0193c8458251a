"""``siaga demo seed|roster|workday|outbreak|services|accounts``: the synthetic demo regency (docs/demo.md)."""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from siaga.demo import data
from siaga.demo.accounts import DEMO_PASSWORD
from siaga.demo.generator import SCALES
from siaga.demo.selectors import demo_account_rows
from siaga.demo.services import demo_government, demo_roster_publish, demo_seed, demo_workday_generate


class Command(BaseCommand):
    help = "The demo regency (Kabupaten Sukoharjo): seed it, or list its demo accounts."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{seed,accounts,roster,workday,outbreak,services}"
        )
        seed = sub.add_parser("seed", help="Create the demo regency in this database.")
        seed.add_argument("--scale", choices=SCALES, default="regency", help="regency ≈ 7,000 ASN; small ≤ 200")
        seed.add_argument("--seed", type=int, default=2020, help="random seed (same seed, same regency)")
        seed.add_argument(
            "--if-empty", action="store_true", help=f"do nothing when government {data.GOVERNMENT_CODE} exists"
        )
        sub.add_parser("accounts", help="List the demo accounts, their password and what they see.")
        roster = sub.add_parser("roster", help="Publish the demo roster of the current month (50% on site).")
        roster.add_argument("--time-limit", type=int, default=15, help="seconds the solver may search")
        workday = sub.add_parser(
            "workday",
            help="Fill the current month around the published roster: attendance, reports, permits, recalls, "
            "meetings and postponed mass events.",
        )
        workday.add_argument("--seed", type=int, default=2020, help="random seed")
        outbreak = sub.add_parser(
            "outbreak",
            help="The office cluster: 24 confirmed ASN on one floor of Menara Wijaya, their contacts, isolation "
            "and quarantine orders (nothing when the regency already has cases).",
        )
        outbreak.add_argument("--seed", type=int, default=2020, help="random seed")
        services = sub.add_parser(
            "services",
            help="Public services: the DPMPTSP and Dispendukcapil catalogue, signing certificates, citizens, "
            "applications in every state, KTP-el appointments and deliveries, survey answers (nothing when the "
            "regency already has services).",
        )
        services.add_argument("--seed", type=int, default=2020, help="random seed")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "seed":
            self.seed(scale=options["scale"], seed=options["seed"], if_empty=options["if_empty"])
        elif subcommand == "roster":
            self.roster(time_limit=options["time_limit"])
        elif subcommand == "workday":
            self.workday(seed=options["seed"])
        elif subcommand == "outbreak":
            self.outbreak(seed=options["seed"])
        elif subcommand == "services":
            self.services(seed=options["seed"])
        else:
            self.accounts()

    def roster(self, *, time_limit: int) -> None:
        gov = demo_government()
        if gov is None:
            raise CommandError("The demo regency is not seeded: run `siaga demo seed` first.")
        started = time.perf_counter()
        try:
            plan = demo_roster_publish(government=gov, month=timezone.localdate(), time_limit=time_limit)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        objective = plan.result.get("objective", {})
        self.stdout.write(
            f"Roster {plan.name}: {plan.get_status_display()} in {time.perf_counter() - started:.1f} s "
            f"(cost {objective.get('total', '—')}, bound {plan.result.get('bound', '—')})."
        )

    def workday(self, *, seed: int) -> None:
        gov = demo_government()
        if gov is None:
            raise CommandError("The demo regency is not seeded: run `siaga demo seed` first.")
        started = time.perf_counter()
        try:
            counts = demo_workday_generate(government=gov, month=timezone.localdate(), seed=seed)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for app, figures in counts.items():
            self.stdout.write(f"{app}: " + ", ".join(f"{key} {value}" for key, value in figures.items()))
        self.stdout.write(f"Working month filled in {time.perf_counter() - started:.1f} s.")

    def outbreak(self, *, seed: int) -> None:
        from siaga.demo.outbreak import demo_outbreak

        gov = demo_government()
        if gov is None:
            raise CommandError("The demo regency is not seeded: run `siaga demo seed` first.")
        started = time.perf_counter()
        try:
            result = demo_outbreak(government=gov, seed=seed)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if not result.created:
            self.stdout.write(f"{gov.name} already has cases; nothing added.")
            return
        c = result.counts
        symptomatic = sum(1 for case in result.cases if case.classification == "confirmed_symptomatic")
        self.stdout.write(
            f"Cluster on {result.floor}: {c['cases']} confirmed ({c['cases'] - symptomatic} without symptoms), "
            f"{c.get('proposals', 0)} contacts proposed from presence, {c.get('contacts_confirmed', 0)} confirmed, "
            f"{c.get('contacts_dismissed', 0)} dismissed; {c['isolation_orders']} isolation and "
            f"{c.get('quarantine_orders', 0)} quarantine orders; in {time.perf_counter() - started:.1f} s."
        )

    def services(self, *, seed: int) -> None:
        from siaga.demo.public_services import SIGNING_PASSPHRASE, demo_public_services

        gov = demo_government()
        if gov is None:
            raise CommandError("The demo regency is not seeded: run `siaga demo seed` first.")
        started = time.perf_counter()
        try:
            result = demo_public_services(government=gov, seed=seed)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if not result.created:
            self.stdout.write(f"{gov.name} already has public services; nothing added.")
            return
        c = result.counts
        self.stdout.write(
            f"Public services: {c['services']} services, {c['citizens']} citizens, {c['applications']} applications "
            f"({c['overdue']} overdue), {c['appointments']} KTP-el appointments in {c['slots']} slots, deliveries "
            f"{c['deliveries_scheduled']} scheduled, {c['deliveries_out']} out, {c['deliveries_delivered']} delivered, "
            f"{c['deliveries_failed']} failed, {c['deliveries_rescheduled']} rescheduled; {c['survey_answers']} survey "
            f"answers; signing passphrase {SIGNING_PASSPHRASE}; in {time.perf_counter() - started:.1f} s."
        )

    def seed(self, *, scale: str, seed: int, if_empty: bool) -> None:
        started = time.perf_counter()
        try:
            result = demo_seed(scale=scale, seed=seed, if_empty=if_empty)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        gov = result.government
        if not result.created:
            self.stdout.write(f"{gov.name} ({gov.code}) already exists; nothing seeded (--if-empty).")
            return
        seconds = time.perf_counter() - started
        c = result.counts
        lines = [
            f"Seeded {gov.name} ({gov.code}), scale {scale}, seed {seed}, in {seconds:.1f} s:",
            f"  units      {c['units']:>6,}  ({c['opds']} OPDs; {c['positions']:,} positions)",
            f"  employees  {c['employees']:>6,}  ({c['pns']:,} PNS, {c['pppk']:,} PPPK; "
            f"{c['risk_profiles']:,} risk profiles)",
            f"  buildings  {c['buildings']:>6,}  ({c['floors']:,} floors, {c['rooms']:,} rooms)",
            f"  users      {c['users']:>6,}  (password {DEMO_PASSWORD}; `siaga demo accounts` lists them)",
        ]
        for d in result.delegations:
            lines.append(
                f"  {d.kind.capitalize():<10} {d.unit.name}: {d.acting.name} ({d.start:%d-%m-%Y} – {d.end:%d-%m-%Y})"
            )
        self.stdout.write("\n".join(lines))

    def accounts(self) -> None:
        gov = demo_government()
        if gov is None:
            raise CommandError("The demo regency is not seeded: run `siaga demo seed` first.")
        rows = demo_account_rows()
        width_user = max(len(r.account.username) for r in rows)
        width_role = max(len(r.account.role) for r in rows)
        self.stdout.write(f"Demo accounts of {gov.name} ({gov.code}); every password is {DEMO_PASSWORD}")
        header = f"{'user name':<{width_user}}  {'password':<{len(DEMO_PASSWORD)}}  {'role':<{width_role}}  sees"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for r in rows:
            password = r.password if r.exists else "(missing)"
            self.stdout.write(
                f"{r.account.username:<{width_user}}  {password:<{len(DEMO_PASSWORD)}}  "
                f"{r.account.role:<{width_role}}  {r.account.sees}"
            )
            if r.employee:
                self.stdout.write(f"{'':<{width_user}}  {'':<{len(DEMO_PASSWORD)}}  ↳ {r.employee}")
