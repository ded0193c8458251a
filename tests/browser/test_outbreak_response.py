"""The whole outbreak response in the browser (phone-sized, Indonesian), as the health task force: from the
first positive test of an employee seated on floor 5 of Menara Wijaya to the contacts quarantined, the
source of the cluster found and confirmed, the floor restricted and the tower disinfected, with what each
step stores checked in the database."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format
from PIL import Image
from playwright.sync_api import expect

from conftest import PASSWORD
from siaga.attendance.models import CheckIn, Presence
from siaga.attendance.services import check_in_made
from siaga.core.access import Actor
from siaga.core.models import Notification
from siaga.measures.models import BuildingMeasure, DisinfectionTask
from siaga.org.models import Building, Employee, Floor
from siaga.outbreak import services
from siaga.outbreak.models import (
    Case,
    Classification,
    Cluster,
    ContactProposal,
    LabResult,
    Order,
    SourceFinding,
    SourceVerdict,
)
from siaga.outbreak.tasks_clusters import run_source_finding
from siaga.rostering.models import Absence
from tests.browser.fixtures import ConsoleWatch, log_in

pytestmark = pytest.mark.django_db(transaction=True)

# Menara Wijaya and a point inside its 100 m geofence (about 35 m away)
LAT, LON = Decimal("-7.682000"), Decimal("110.838000")
INSIDE = (-7.68230, 110.83810)


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def stay(
    floor: Floor, day: dt.date, start: int, end: int, *, employee: Employee | None = None, visitor: str = ""
) -> Presence:
    """A stay known to the floor (no room), as an office check-in leaves it."""
    return Presence(
        government_id=floor.government_id,
        employee=employee,
        visitor_name=visitor,
        building=floor.building,
        floor=floor,
        start=at(day, start),
        end=at(day, end),
        source=Presence.Source.CHECK_IN,
    )


def indonesian_date(day: dt.date) -> str:
    with translation.override("id"):
        return date_format(day, "j F Y")


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 160, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def scene(
    org: dict[str, Any],
    make_employee: Callable[..., Employee],
    make_user: Callable[..., Any],
    actor_of: Callable[..., Actor],
) -> dict[str, Any]:
    """Bidang Pelayanan sits on floor 5 of Menara Wijaya. Its staff member (the seed) worked there three days
    ago with three colleagues (Ani 4 h, Budi 2 h, Citra 1 h of overlap), and eight and nine days ago with
    five visitors who have since been confirmed (specimens 1–3 days ago) and fourteen people who stayed
    healthy. Floor 2 held 40 healthy people that day, Kantor Bupati 99 and one more confirmed visitor, who
    was there every day. Dedi of Bidang Umum disinfects."""
    government = org["government"]
    task_force = actor_of(org["users"]["health"])
    tower = Building.objects.create(
        government=government, code="menara", name="Menara Wijaya", latitude=LAT, longitude=LON, geofence_radius_m=100
    )
    f5 = Floor.objects.create(government=government, building=tower, number=5, capacity=40, distancing_capacity=20)
    f2 = Floor.objects.create(government=government, building=tower, number=2, capacity=60, distancing_capacity=30)
    office = Building.objects.create(government=government, code="kantor", name="Kantor Bupati")
    f1 = Floor.objects.create(government=government, building=office, number=1, capacity=200, distancing_capacity=120)
    pelayanan = org["pelayanan"]
    pelayanan.building, pelayanan.floor = tower, f5
    pelayanan.save(update_fields=["building", "floor"])

    seed = org["staff"]
    ani = make_employee(pelayanan, "Ani Lestari", user=make_user("ani"))
    budi = make_employee(pelayanan, "Budi Santoso", user=make_user("budi"))
    citra = make_employee(pelayanan, "Citra Dewi", user=make_user("citra"))
    dedi = make_employee(org["umum"], "Dedi Kurniawan", user=make_user("dedi"))

    exposure = days_ago(3)
    rows = [
        stay(f5, exposure, 8, 16, employee=seed),
        stay(f5, exposure, 8, 12, employee=ani),
        stay(f5, exposure, 13, 15, employee=budi),
        stay(f5, exposure, 9, 10, employee=citra),
    ]
    visitors = []
    for i in range(1, 6):
        visitors.append(
            services.case_create(
                actor=task_force,
                classification=Classification.CONFIRMED_ASYMPTOMATIC,
                visitor_name=f"Tamu Menara {i}",
                specimen_date=days_ago(1 + i % 3),
            )
        )
    for day in (days_ago(9), days_ago(8)):
        rows.append(stay(f5, day, 8, 16, employee=seed))
        rows += [stay(f5, day, 8, 16, visitor=v.visitor_name) for v in visitors]
    rows += [stay(f5, days_ago(8), 8, 16, visitor=f"Sehat Lima {i}") for i in range(14)]
    rows += [stay(f2, days_ago(8), 8, 16, visitor=f"Sehat Dua {i}") for i in range(40)]
    rows += [stay(f1, days_ago(8), 8, 16, visitor=f"Sehat Kantor {i}") for i in range(99)]
    office_case = services.case_create(
        actor=task_force,
        classification=Classification.CONFIRMED_ASYMPTOMATIC,
        visitor_name="Tamu Kantor",
        specimen_date=days_ago(2),
    )
    rows += [stay(f1, days_ago(n), 8, 16, visitor="Tamu Kantor") for n in range(3, 18)]
    Presence.objects.bulk_create(rows)
    return {
        **org,
        "task_force": task_force,
        "tower": tower,
        "f5": f5,
        "seed": seed,
        "ani": ani,
        "budi": budi,
        "citra": citra,
        "dedi": dedi,
        "visitors": visitors,
        "office_case": office_case,
    }


@contextlib.contextmanager
def phone_of(browser: Any, live_server: Any, username: str) -> Iterator[Any]:
    """Another person's phone-sized page, logged in; fails on any JavaScript error like ``page``."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", base_url=live_server.url)
    phone = context.new_page()
    watch = ConsoleWatch()
    phone.on("console", watch.on_console)
    phone.on("pageerror", watch.on_page_error)
    phone.set_default_timeout(10_000)
    try:
        log_in(phone, username, PASSWORD)
        yield phone
    finally:
        context.close()
    assert watch.errors == [], watch.errors


def submit(form: Any) -> None:
    form.locator("button[type=submit]").click()


def test_the_task_force_takes_the_cluster_from_first_positive_test_to_a_disinfected_tower(
    page, browser, live_server, scene
):
    seed, ani, budi, citra, dedi = (scene[k] for k in ("seed", "ani", "budi", "citra", "dedi"))
    tower, f5 = scene["tower"], scene["f5"]
    today = timezone.localdate()
    specimen = days_ago(2)
    log_in(page, "satgas", PASSWORD)

    # 1. The seed's positive RT-PCR: the case (confirmed, asymptomatic) and the lab result.
    page.goto("/outbreak/cases/new/")
    form = page.locator("form:has(#id_nip)")
    form.locator("#id_nip").fill(seed.nip)
    form.locator("#id_classification").select_option("confirmed_asymptomatic")
    form.locator("#id_specimen_date").fill(specimen.isoformat())
    submit(form)
    page.wait_for_url(re.compile(r"/outbreak/cases/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("Kasus dicatat.")
    case = Case.objects.get(employee=seed)
    assert (case.classification, case.specimen_date) == (Classification.CONFIRMED_ASYMPTOMATIC, specimen)
    expect(page.get_by_test_id("classification")).to_have_text("Terkonfirmasi, tanpa gejala")

    page.locator("summary", has_text="Catat hasil laboratorium").click()
    lab = page.locator("form[action$='/lab/']")
    lab.locator("select[name=kind]").select_option("rt_pcr")
    lab.locator("input[name=specimen_taken_at]").fill(f"{specimen.isoformat()}T09:30")
    lab.locator("input[name=result_date]").fill(days_ago(1).isoformat())
    lab.locator("select[name=result]").select_option("positive")
    submit(lab)
    expect(page.locator(".messages")).to_contain_text("Hasil laboratorium dicatat.")
    expect(page.get_by_test_id("lab-results")).to_contain_text("RT-PCR")
    result = LabResult.objects.get(case=case)
    assert (result.kind, result.result, result.result_date) == ("rt_pcr", "positive", days_ago(1))

    # 2. Close contacts proposed from the stored presence, with their evidence.
    rule_set = services.rule_set_for(government_id=case.government_id, on=today)
    proposals = {p.employee_id: p for p in ContactProposal.objects.filter(case=case)}
    assert set(proposals) == {ani.pk, budi.pk, citra.pk}  # not the visitors of days 8 and 9: outside the window
    for person, minutes in ((ani, 240), (budi, 120), (citra, 60)):
        section = page.get_by_test_id(f"contact-{proposals[person.pk].pk}")
        expect(section).to_contain_text(person.name)
        expect(section).to_contain_text(f"{indonesian_date(days_ago(3))} · {minutes} menit · Menara Wijaya · lantai 5")
    for person, decision, done in (
        (ani, "confirm", "Kontak dikonfirmasi."),
        (budi, "confirm", "Kontak dikonfirmasi."),
        (citra, "dismiss", "Kontak ditolak."),
    ):
        section = page.get_by_test_id(f"contact-{proposals[person.pk].pk}")
        section.get_by_test_id(f"contact-{decision}").click()
        expect(section.get_by_test_id(f"contact-{decision}")).to_have_count(0)  # decided: the buttons are gone
        expect(page.locator(".messages")).to_contain_text(done)

    # the case's isolation, with the rule set's last day
    # the rule set in force: isolation of an asymptomatic case for its days from the specimen
    isolation_last = specimen + dt.timedelta(days=rule_set.isolation_days_asymptomatic)
    expect(page.get_by_test_id("proposal-isolation_end")).to_contain_text(indonesian_date(isolation_last))
    page.locator("summary", has_text="Terbitkan perintah").click()
    order_form = page.locator("form[action$='/orders/']")
    expect(order_form.locator("select[name=kind]")).to_have_value("isolation")
    order_form.locator("input[name=start]").fill(specimen.isoformat())
    submit(order_form)
    expect(page.locator(".messages")).to_contain_text("Perintah diterbitkan")
    expect(page.get_by_test_id("orders")).to_contain_text(indonesian_date(isolation_last))

    # each confirmed contact's quarantine, from the contact's own case page
    for person in (ani, budi):
        proposal = ContactProposal.objects.get(pk=proposals[person.pk].pk)
        assert proposal.status == ContactProposal.Status.CONFIRMED
        assert proposal.quarantine_start == days_ago(2)
        page.goto(f"/outbreak/cases/{case.pk}/")
        section = page.get_by_test_id(f"contact-{proposal.pk}")
        expect(section).to_contain_text(
            f"{indonesian_date(proposal.quarantine_start)} – {indonesian_date(proposal.quarantine_end)}"
        )
        section.get_by_role("link").click()
        page.wait_for_url(f"**/outbreak/cases/{proposal.contact_case_id}/")
        expect(page.get_by_test_id("classification")).to_have_text("Kontak erat")
        page.locator("summary", has_text="Terbitkan perintah").click()
        order_form = page.locator("form[action$='/orders/']")
        expect(order_form.locator("select[name=kind]")).to_have_value("quarantine")
        order_form.locator("input[name=start]").fill(proposal.quarantine_start.isoformat())
        submit(order_form)
        expect(page.locator(".messages")).to_contain_text("Perintah diterbitkan")
        expect(page.get_by_test_id("orders")).to_contain_text(indonesian_date(proposal.quarantine_end))
    assert ContactProposal.objects.get(pk=proposals[citra.pk].pk).status == ContactProposal.Status.DISMISSED
    assert not Case.objects.filter(employee=citra).exists()

    # stored: the orders with the rule set's dates and the absences they make
    isolation = Order.objects.get(case=case)
    assert (isolation.kind, isolation.start, isolation.end, isolation.rule_set_id) == (
        Order.Kind.ISOLATION,
        specimen,
        isolation_last,
        rule_set.pk,
    )
    assert Absence.objects.filter(employee=seed, reason="isolation", start=specimen, end=isolation_last).exists()
    for person in (ani, budi):
        contact_case = Case.objects.get(employee=person)
        quarantine = Order.objects.get(case=contact_case)
        expected_end = days_ago(3) + dt.timedelta(days=rule_set.quarantine_days)  # from the last exposure
        assert (quarantine.kind, quarantine.start, quarantine.end, quarantine.rule_set_id) == (
            Order.Kind.QUARANTINE,
            days_ago(2),
            expected_end,
            rule_set.pk,
        )
        assert quarantine.end == ContactProposal.objects.get(pk=proposals[person.pk].pk).quarantine_end
        assert Absence.objects.filter(
            employee=person, reason="quarantine", start=days_ago(2), end=expected_end
        ).exists()
        # the contacts were told, and never who the case is
        notices = list(Notification.objects.filter(recipient=person.user))
        assert "Anda kontak erat" in {n.subject for n in notices}, notices
        assert any("karantina" in n.body for n in notices), notices
        for notice in notices:
            text = f"{notice.subject} {notice.body}"
            assert seed.name not in text and seed.nip not in text, text
    assert not Notification.objects.filter(recipient=citra.user).exists()
    # Ani sees her quarantine on her phone, and nothing of the case she met
    ani_quarantine = Order.objects.get(case__employee=ani)
    with phone_of(browser, live_server, "ani") as phone:
        phone.goto("/outbreak/mine/")
        mine = phone.get_by_test_id("my-case")
        expect(mine).to_contain_text("Kontak erat")
        expect(mine).to_contain_text(
            f"Karantina: {indonesian_date(ani_quarantine.start)} – {indonesian_date(ani_quarantine.end)}"
        )
        mine.get_by_role("link", name="Kontak erat").click()
        phone.wait_for_url(f"**/outbreak/cases/{ani_quarantine.case_id}/")
        expect(phone.get_by_test_id("orders")).to_contain_text(indonesian_date(ani_quarantine.end))
        for text in (phone.locator("main").inner_text(), phone.content()):
            assert seed.name not in text and seed.nip not in text
    # the unit head learns who is unavailable, never why
    head_notices = [f"{n.subject} {n.body}".lower() for n in Notification.objects.filter(recipient=scene["kabid"].user)]
    assert head_notices and all("isolasi" not in t and "karantina" not in t for t in head_notices), head_notices
    # a quarantined contact cannot check in at the office
    with pytest.raises(ValidationError) as refused:
        check_in_made(employee=ani, mode="wfo", latitude=INSIDE[0], longitude=INSIDE[1], user=ani.user)
    assert "karantina" in " ".join(refused.value.messages).lower()
    assert not CheckIn.objects.filter(employee=ani).exists()

    # 3. The cluster: proposed from the shared floor, created, its source found and confirmed.
    page.goto("/outbreak/clusters/")
    proposal_box = page.get_by_test_id("proposal")
    expect(proposal_box).to_have_count(1)
    expect(proposal_box).to_contain_text("6 kasus")
    expect(proposal_box).to_contain_text(seed.name)
    expect(proposal_box).to_contain_text("Menara Wijaya lantai 5")
    proposal_box.get_by_test_id("create-from-proposal").click()
    page.wait_for_url(re.compile(r"/outbreak/clusters/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("Klaster dibuat.")
    cluster = Cluster.objects.get()
    assert set(cluster.members.values_list("case_id", flat=True)) == {case.pk, *(v.pk for v in scene["visitors"])}
    page.fill("#id_case", str(scene["office_case"].pk))
    page.get_by_role("button", name="Tambahkan kasus").click()
    expect(page.get_by_test_id(f"member-{scene['office_case'].pk}")).to_be_visible()

    page.get_by_test_id("finding-start").click()
    expect(page.locator("#finding-progress")).to_contain_text("replikasi")
    finding = SourceFinding.objects.get(cluster=cluster)
    assert run_source_finding.call(finding.pk) == "done"
    # floor 5 held 6 of the 7 cases among 23 people (the seed, the five visitors, fourteen healthy people,
    # Ani, Budi and Citra); the other 140 people of the period include the office case
    expect(page.get_by_test_id("source-sentence")).to_contain_text(
        "Sumber penularan diduga Menara Wijaya lantai 5: 6 dari 23 orang yang hadir tertular, "
        "dibanding 1 dari 140 yang tidak",
        timeout=15_000,
    )
    first_row = page.get_by_test_id("ranking-floor").locator("tbody tr").first
    expect(first_row).to_contain_text("Menara Wijaya lantai 5")
    first_row.get_by_role("button", name="Konfirmasi").click()
    expect(page.locator(".messages")).to_contain_text("Keputusan Anda tentang sumber tercatat.")
    expect(page.get_by_test_id("ranking-floor").locator("tbody tr").first).to_contain_text(
        "Dikonfirmasi sebagai sumber"
    )
    verdict = SourceVerdict.objects.get()
    assert (verdict.label, verdict.verdict) == ("Menara Wijaya lantai 5", "confirmed")

    # 4. Floor 5 restricted to one person for the coming days; the tower disinfected.
    page.goto("/measures/new/")
    form = page.locator("form:has(#id_building)")
    form.locator("#id_building").select_option(str(tower.pk))
    form.locator("#id_floor").select_option(str(f5.pk))
    form.locator("#id_kind").select_option("restrict")
    form.locator("#id_capacity_people").fill("1")
    form.locator("#id_start").fill(today.isoformat())
    form.locator("#id_end").fill((today + dt.timedelta(days=3)).isoformat())
    form.locator("#id_reason").fill("Disinfeksi setelah klaster di lantai 5")
    submit(form)
    page.wait_for_url("**/measures/")
    expect(page.locator(".messages")).to_contain_text("Tindakan disimpan")
    measure_box = page.get_by_test_id("measure")
    expect(measure_box).to_contain_text("Menara Wijaya lantai 5")
    expect(measure_box).to_contain_text("paling banyak 1 orang")
    measure = BuildingMeasure.objects.get()
    assert (measure.floor_id, measure.kind, measure.capacity_people, measure.start, measure.end) == (
        f5.pk,
        BuildingMeasure.Kind.RESTRICT,
        1,
        today,
        today + dt.timedelta(days=3),
    )
    # the office check-ins on floor 5 obey it: the first one in, the second one refused
    first, created = check_in_made(
        employee=scene["kabid"], mode="wfo", latitude=INSIDE[0], longitude=INSIDE[1], user=scene["kabid"].user
    )
    assert created and first.floor_id == f5.pk
    with pytest.raises(ValidationError) as full:
        check_in_made(employee=citra, mode="wfo", latitude=INSIDE[0], longitude=INSIDE[1], user=citra.user)
    assert "dibatasi 1 orang" in " ".join(full.value.messages), full.value.messages
    assert not CheckIn.objects.filter(employee=citra).exists()

    page.goto("/measures/disinfections/new/")
    form = page.locator("form:has(#id_team_nips)")
    form.locator("#id_building").select_option(str(tower.pk))
    form.locator("#id_place_kind").select_option("office")
    form.locator("#id_scheduled_date").fill(today.isoformat())
    form.locator("#id_team_nips").fill(dedi.nip)
    form.locator("#id_team_name").fill("Tim Disinfeksi Satgas")
    submit(form)
    page.wait_for_url(re.compile(r"/measures/disinfections/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("1 tugas disinfeksi dijadwalkan")
    task = DisinfectionTask.objects.get()
    assert (task.building_id, task.floor_id, task.scheduled_date) == (tower.pk, None, today)
    assert list(task.team.all()) == [dedi]
    # a day passes without the work being done (the server's clock cannot move: the date moves back)
    DisinfectionTask.objects.filter(pk=task.pk).update(scheduled_date=today - dt.timedelta(days=1))
    page.goto("/measures/disinfections/overdue/")
    overdue = page.get_by_test_id("disinfection-task")
    expect(overdue).to_have_count(1)
    expect(overdue).to_contain_text("Menara Wijaya")
    expect(overdue).to_contain_text("terlambat")

    # Dedi completes it on his phone, with a photo
    with phone_of(browser, live_server, "dedi") as phone:
        phone.goto("/measures/disinfections/")
        phone.get_by_test_id("disinfection-task").get_by_role("link", name="Menara Wijaya").click()
        phone.wait_for_url(f"**/measures/disinfections/{task.pk}/")
        phone.set_input_files(
            "#id_photo", files=[{"name": "menara-selesai.png", "mimeType": "image/png", "buffer": png_bytes()}]
        )
        phone.fill("#id_note", "Semua lantai disemprot.")
        phone.get_by_role("button", name="Selesai").click()
        expect(phone.locator(".messages")).to_contain_text("Tugas selesai. Terima kasih.")
        expect(phone.get_by_test_id("task-status")).to_have_text("Selesai")
        expect(phone.locator("img.evidence")).to_be_visible()
        # the photo is served back to the team member as it was taken
        phone.wait_for_function("() => document.querySelector('img.evidence').naturalWidth === 64")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    task.refresh_from_db()
    assert (task.status, task.completed_by_id, task.photo_type) == (
        DisinfectionTask.Status.DONE,
        dedi.user_id,
        "image/png",
    )

    page.goto("/measures/disinfections/overdue/")
    expect(page.get_by_text("Tidak ada tugas disinfeksi yang terbuka.")).to_be_visible()
    expect(page.get_by_test_id("disinfection-task")).to_have_count(0)
