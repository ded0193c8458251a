"""Seeding the demo regency (small scale) into the database, its accounts and its acting official."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from siaga.core.access import actor_for_user
from siaga.core.models import AuditEvent, Government, RoleAssignment
from siaga.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from siaga.demo.services import demo_seed
from siaga.org.authority import Action, can_act
from siaga.org.identifiers import parse_nip, validate_nik
from siaga.org.models import Building, Delegation, Employee, Floor, Position, RiskProfile, Room, Unit
from siaga.org.services import unit_validate_parent


def seed_small(seed: int = 2020, *extra: str) -> str:
    out = StringIO()
    call_command("demo", "seed", "--scale=small", f"--seed={seed}", *extra, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    output = seed_small()
    return Government.objects.get(code="33.11"), output


def test_the_seed_creates_the_small_regency_and_says_what_it_made(seeded):
    gov, output = seeded
    assert (gov.name, gov.kind, gov.zone) == ("Kabupaten Sukoharjo", "kabupaten", "WIB")
    assert Unit.objects.filter(government=gov).count() == 22
    assert Unit.objects.filter(government=gov, parent__isnull=True).count() == 6
    assert Position.objects.filter(government=gov).count() == 87
    assert Employee.objects.filter(government=gov).count() == 146
    assert Employee.objects.filter(government=gov, status="pppk").count() == 5
    assert RiskProfile.objects.filter(government=gov).count() == 10
    assert Building.objects.filter(government=gov).count() == 7
    assert Floor.objects.filter(government=gov).count() == 20
    assert Room.objects.filter(government=gov).count() == 49
    assert get_user_model().objects.count() == 12
    lines = output.splitlines()
    assert lines[0].startswith("Seeded Kabupaten Sukoharjo (33.11), scale small, seed 2020, in ")
    assert lines[1:5] == [
        "  units          22  (6 OPDs; 87 positions)",
        "  employees     146  (141 PNS, 5 PPPK; 10 risk profiles)",
        "  buildings       7  (20 floors, 49 rooms)",
        "  users          12  (password siaga-demo-2020; `siaga demo accounts` lists them)",
    ]
    assert lines[5].startswith("  Plh        Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu: ")
    event = AuditEvent.objects.get(government=gov, object_type="demo.seed")
    assert (event.action, event.changes["employees"]) == ("import", 146)


def test_every_nip_and_nik_in_the_database_is_valid_and_unique(seeded):
    employees = list(Employee.objects.filter(government=seeded[0]))
    for e in employees:
        info = parse_nip(e.nip, pppk=e.status == "pppk")
        assert (info.birth_date, info.sex) == (e.birth_date, e.sex)
        assert validate_nik(e.nik) == e.nik
    assert len({e.nip for e in employees}) == len({e.nik for e in employees}) == 146


def nips_of_a_fresh_seed(seed: int) -> list[str]:
    with transaction.atomic():
        demo_seed(scale="small", seed=seed)
        nips = list(Employee.objects.filter(government__code="33.11").order_by("pk").values_list("nip", flat=True))
        transaction.set_rollback(True)
    return nips


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_nips_in_two_fresh_databases():
    first = nips_of_a_fresh_seed(2020)
    assert not Government.objects.filter(code="33.11").exists()
    second = nips_of_a_fresh_seed(2020)
    assert len(first) == 146
    assert first == second
    assert first[:2] == ["196711251990011001", "197110051999121001"]
    assert nips_of_a_fresh_seed(7) != first


def test_if_empty_does_nothing_when_the_regency_exists_and_a_plain_seed_refuses(seeded):
    assert seed_small(99, "--if-empty") == "Kabupaten Sukoharjo (33.11) already exists; nothing seeded (--if-empty).\n"
    with pytest.raises(CommandError) as excinfo:
        seed_small(99)
    assert str(excinfo.value) == (
        "Kabupaten Sukoharjo (33.11) already exists. Seed into an empty database, "
        "or pass --if-empty to keep what is there."
    )
    assert Government.objects.filter(code="33.11").count() == 1
    assert Employee.objects.count() == 146
    assert get_user_model().objects.count() == 12


@pytest.mark.django_db
def test_the_seed_refuses_when_a_demo_user_name_is_taken():
    get_user_model().objects.create_user(username="satgas", password="x-long-password-1")
    with pytest.raises(CommandError) as excinfo:
        seed_small()
    assert str(excinfo.value) == "These demo user names are already taken: satgas."
    assert not Government.objects.exists()


def test_menara_wijaya_has_ten_floors_and_hosts_several_opds(seeded):
    menara = Building.objects.get(government=seeded[0], code="menara-wijaya")
    assert menara.name == "Gedung Menara Wijaya"
    assert list(menara.floors.values_list("number", flat=True)) == list(range(1, 11))
    opds = menara.units.filter(parent__isnull=True).order_by("code").values_list("code", flat=True)
    assert list(opds) == ["BKPSDM", "DPMPTSP", "INSPEKTORAT"]
    for floor in Floor.objects.filter(government=seeded[0]):
        assert floor.distancing_capacity <= floor.capacity
    assert Room.objects.filter(floor__building=menara, name__startswith="Ruang Rapat").count() == 11


def test_public_service_and_essential_units(seeded):
    units = {u.code: u for u in Unit.objects.filter(government=seeded[0])}
    assert units["DPMPTSP"].public_service and units["DISDUKCAPIL"].public_service
    assert units["KEC-SUKOHARJO"].public_service and units["DINKES-PKM-SUKOHARJO"].public_service
    assert units["DINKES"].essential and not units["DINKES"].public_service
    assert not units["BKPSDM"].public_service
    assert (units["DPMPTSP-YAN"].building.code, units["DPMPTSP-YAN"].floor.number) == ("mpp", 1)


def test_every_unit_has_exactly_one_head_post_and_follows_the_parent_kind_rules(seeded):
    units = (
        Unit.objects.filter(government=seeded[0])
        .select_related("parent")
        .annotate(heads=Count("positions", filter=Q(positions__is_head=True)))
    )
    assert len(units) == 22
    for unit in units:
        assert unit.heads == 1, unit.code
        unit_validate_parent(unit=unit, kind=unit.kind, parent=unit.parent, government_id=unit.government_id)


def test_employees_sit_where_their_unit_sits(seeded):
    for e in Employee.objects.filter(government=seeded[0]).select_related("unit"):
        assert (e.building_id, e.floor_id) == (e.unit.building_id, e.unit.floor_id), e.nip
        assert e.email.endswith("@sukoharjokab.go.id")


def test_heads_sign_and_the_front_desk_has_front_office_staff(seeded):
    heads = Employee.objects.filter(government=seeded[0], position__is_head=True)
    assert heads.count() == 22
    assert heads.filter(skills__code="signer").count() == 22
    front = Employee.objects.filter(unit__code="DPMPTSP-YAN", skills__code="front_office")
    assert front.count() == 7


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.username)
def test_every_demo_account_logs_in_and_has_its_roles(seeded, client, account):
    response = client.post(reverse("login"), {"username": account.username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home"), follow=True).status_code == 200  # residents land on their applications
    user = get_user_model().objects.get(username=account.username)
    actor = actor_for_user(user)
    assert actor.roles == account.roles
    assert actor.government == seeded[0]
    if account.unit:
        employee = Employee.objects.select_related("unit").get(user=user)
        assert employee.unit.code == account.unit
        assert (actor.employee_id, actor.unit_id) == (employee.pk, employee.unit_id)
    assert set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == (
        {account.assigned} if account.assigned else set()
    )


def test_a_wrong_password_does_not_log_a_demo_account_in(seeded, client):
    response = client.post(reverse("login"), {"username": "bkpsdm", "password": "siaga-demo-2021"})
    assert response.status_code == 200


def test_the_plh_of_dpmptsp_signs_routine_decisions_but_may_not_appoint_staff(seeded):
    gov = seeded[0]
    dpmptsp = Unit.objects.get(government=gov, code="DPMPTSP")
    delegation = Delegation.objects.get(government=gov)
    plh = Employee.objects.get(user__username="plh.dpmptsp")
    head = Employee.objects.get(user__username="kadis.dpmptsp")
    today = timezone.localdate()
    assert (delegation.kind, delegation.unit, delegation.acting, delegation.official) == ("plh", dpmptsp, plh, head)
    assert delegation.is_active_on(today)
    assert plh.position.name == "Sekretaris Dinas" and not plh.position.is_head
    assert head.position.name == "Kepala Dinas Penanaman Modal dan PTSP" and head.position.is_head
    assert "isolasi" not in delegation.reason.lower()

    routine = can_act(plh, Action.SIGN_SERVICE_DECISION, dpmptsp)
    assert (routine.allowed, routine.basis, routine.delegation_id) == (True, "plh", delegation.pk)
    front_desk = Unit.objects.get(government=gov, code="DPMPTSP-YAN")
    assert can_act(plh, Action.SIGN_SERVICE_DECISION, front_desk).allowed
    strategic = can_act(plh, Action.APPOINT_STAFF, dpmptsp)
    assert (strategic.allowed, strategic.basis) == (False, "")
    assert "SE BKN 1/SE/I/2021" in strategic.reason
    assert can_act(head, Action.APPOINT_STAFF, dpmptsp).basis == "official"
    assert actor_for_user(plh.user).headed_unit_ids == frozenset({dpmptsp.pk})


def test_accounts_lists_every_demo_account_with_its_password(seeded):
    out = StringIO()
    call_command("demo", "accounts", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Demo accounts of Kabupaten Sukoharjo (33.11); every password is siaga-demo-2020"
    rows = [line for line in lines[3:] if not line.startswith(" ")]
    assert [row.split()[0] for row in rows] == [a.username for a in DEMO_ACCOUNTS]
    assert all(row.split()[1] == DEMO_PASSWORD for row in rows)
    linked = [line.strip() for line in lines[3:] if line.startswith(" ")]
    assert len(linked) == 11
    assert linked[3].endswith(" · Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu")


@pytest.mark.django_db
def test_accounts_asks_for_a_seed_first_on_an_empty_database():
    with pytest.raises(CommandError) as excinfo:
        call_command("demo", "accounts", stdout=StringIO())
    assert str(excinfo.value) == "The demo regency is not seeded: run `siaga demo seed` first."
