"""The demo accounts: who they are, which employee they are linked to, and what they see.

One password for every demo account, published in docs/demo.md and printed by ``siaga demo
accounts``: the demo regency is for trials and training, never for a server holding real data.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "siaga-demo-2020"  # noqa: S105 (published on purpose: demo accounts only)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str  # what the account stands for, shown in the table
    unit: str  # code of the unit of the linked employee ("" when not an employee)
    #: which employee of that unit: "head", "deputy" (first deputy post), "staff" (first staff member) or
    #: "staff2" (second staff member)
    pick: str
    assigned: str  # the role assigned with a RoleAssignment ("" for derived roles only)
    roles: frozenset[str]  # the roles the account's actor has after seeding
    sees: str  # what the account sees, in one line


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "bkpsdm",
        "Government admin (BKPSDM)",
        "BKPSDM-PPI",
        "staff",
        "admin",
        frozenset({"admin", "employee"}),
        "whole regency: units, employees, buildings, Plh/Plt, imports, audit log, API tokens",
    ),
    DemoAccount(
        "satgas",
        "Health task force (Dinkes)",
        "DINKES-P2P",
        "staff",
        "health",
        frozenset({"health", "employee"}),
        "every employee and their health risk profile (each read is audit-logged)",
    ),
    DemoAccount(
        "petugas.dpmptsp",
        "Service officer, DPMPTSP front desk (MPP)",
        "DPMPTSP-YAN",
        "staff",
        "service_officer",
        frozenset({"service_officer", "employee"}),
        "the service desk of DPMPTSP: queues, applications, bills and payments, hand-over at the counter",
    ),
    DemoAccount(
        "kadis.dpmptsp",
        "Unit head: Kepala DPMPTSP (absent; a Plh acts)",
        "DPMPTSP",
        "head",
        "",
        frozenset({"unit_head", "employee"}),
        "every employee of DPMPTSP and its bidang; appoints Plh/Plt below the Dinas",
    ),
    DemoAccount(
        "plh.dpmptsp",
        "Acting head (Plh): Sekretaris DPMPTSP",
        "DPMPTSP",
        "deputy",
        "",
        frozenset({"unit_head", "employee"}),
        "DPMPTSP like its head; signs routine decisions, may not appoint or move staff",
    ),
    DemoAccount(
        "kadis.dukcapil",
        "Unit head: Kepala Dispendukcapil",
        "DISDUKCAPIL",
        "head",
        "",
        frozenset({"unit_head", "employee"}),
        "every employee of Dispendukcapil and its bidang",
    ),
    DemoAccount(
        "camat.sukoharjo",
        "Unit head: Camat Sukoharjo",
        "KEC-SUKOHARJO",
        "head",
        "",
        frozenset({"unit_head", "employee"}),
        "the Kecamatan office, its seksi and its kelurahan",
    ),
    DemoAccount(
        "asn.dpmptsp",
        "Employee: DPMPTSP back office (Menara Wijaya)",
        "DPMPTSP-IZIN",
        "staff",
        "",
        frozenset({"employee"}),
        "their own record and the colleagues of their bidang",
    ),
    DemoAccount(
        "asn.dukcapil",
        "Employee: Dispendukcapil front desk",
        "DISDUKCAPIL-CAPIL",
        "staff",
        "",
        frozenset({"employee"}),
        "their own record and the colleagues of their bidang",
    ),
    DemoAccount(
        "petugas.dukcapil",
        "Service officer, Dispendukcapil front desk",
        "DISDUKCAPIL-DAFDUK",
        "staff",
        "service_officer",
        frozenset({"service_officer", "employee"}),
        "the service desk of Dispendukcapil: applications, KTP-el appointments, deliveries",
    ),
    DemoAccount(
        "kurir.dukcapil",
        "Employee: Dispendukcapil, delivers KTP-el cards",
        "DISDUKCAPIL-DAFDUK",
        "staff2",
        "",
        frozenset({"employee"}),
        "their own record, colleagues, and the cards they deliver today",
    ),
    DemoAccount(
        "warga",
        "Citizen",
        "",
        "",
        "citizen",
        frozenset({"citizen"}),
        "the service portal: their own applications in every state, appointment, delivery, survey",
    ),
)
