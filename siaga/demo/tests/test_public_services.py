"""The demo regency's public services: the catalogue under the face-to-face restriction, applications in
every state moved by the real services, DPMPTSP's documents signed by its Plh and verifying against the
demo CA, KTP-el appointments and deliveries in each state, the IKM per unit and service, and a second
run that adds nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from siaga.core.access import actor_for_user
from siaga.core.uploads import private_path
from siaga.delivery.models import Appointment, AppointmentSlot, DeliveryOrder
from siaga.demo.public_services import SIGNING_PASSPHRASE, demo_public_services
from siaga.demo.services import demo_seed
from siaga.engines.signing import ca
from siaga.engines.signing.tests.inspect_pdf import stamp_lines
from siaga.engines.signing.verify import verify_pdf
from siaga.services.models import Application, ApplicationEvent, Attachment, Citizen, IssuedDocument, Service, Status
from siaga.services.selectors import restriction_in_force
from siaga.services.services_portal import validate_nik
from siaga.survey.selectors import ikm_report

pytestmark = pytest.mark.django_db

#: states an application rests in; "signed", "delivered" and "picked up" are passed through at once
RESTING = set(Status.values) - {Status.SIGNED, Status.DELIVERED, Status.PICKED_UP}


def build(settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.DOCUMENT_SIGNING_BACKEND = "local"
    settings.SIGNING_DIR = tmp_path / "signing"
    settings.SIGNING_TRUST_ROOTS = [str(tmp_path / "signing" / ca.ROOT_CERT)]
    settings.MEDIA_ROOT = tmp_path / "private"
    today = timezone.localdate()
    government = demo_seed(scale="small", seed=2020, today=today).government
    out = StringIO()
    call_command("demo", "services", stdout=out)
    assert out.getvalue().startswith(
        "Public services: 6 services, 40 citizens, 60 applications (6 overdue), 14 KTP-el appointments in "
    )
    assert "signing passphrase tte-demo-2020" in out.getvalue()
    return {"government": government, "today": today, "settings": settings}


def check_every_state_is_there_moved_by_the_real_services(demo: dict[str, Any]) -> None:
    gov = demo["government"]
    services = Service.objects.filter(government=gov)
    assert sorted(services.values_list("code", flat=True)) == [
        "akta-kelahiran",
        "izin-usaha-mikro",
        "kk-perubahan",
        "ktp-el-pemula",
        "pbg",
        "reklame",
    ]
    for service in services.select_related("unit", "signer_position"):
        assert service.signer_position.is_head and service.signer_position.unit_id == service.unit_id
    restriction = restriction_in_force(gov, demo["today"])
    assert restriction is not None and "Bupati" in restriction.reason
    assert services.get(code="ktp-el-pemula").restricted_mode == "appointment"

    citizens = Citizen.objects.filter(government=gov)
    assert citizens.count() == 41
    for citizen in citizens:
        assert validate_nik(citizen.nik) == citizen.nik and citizen.verified_at is not None
    assert citizens.exclude(email="").exists() and citizens.exclude(phone="").exists()

    apps = Application.objects.filter(government=gov)
    assert set(apps.values_list("status", flat=True)) == RESTING
    passed = set(ApplicationEvent.objects.filter(government=gov).values_list("to_status", flat=True))
    assert passed == set(Status.values)
    # every application has its uploads, stored and readable
    for app in apps:
        current = Attachment.objects.filter(application=app, superseded=False)
        assert current.count() == len(app.service.requirements)
    sample = Attachment.objects.filter(application__government=gov).first()
    assert sample is not None and private_path(sample.path).read_bytes()[:4] in (b"%PDF", b"\x89PNG")
    # officers moved them: the events name the officer, not the system
    registered = ApplicationEvent.objects.filter(government=gov, to_status=Status.REGISTERED)
    assert {e.actor.username for e in registered} == {"petugas.dpmptsp", "petugas.dukcapil"}
    # some are past their time limit
    today = demo["today"]
    overdue = apps.filter(status__in=["registered", "in_review", "field_check", "awaiting_signature"], due_on__lt=today)
    assert overdue.count() >= 3
    assert apps.filter(submitted_at__date__lt=today - dt.timedelta(days=10)).exists()
    # the history moved back with the dates; a signed document's signing stays today, as its date says
    for app in apps.filter(status__in=["in_review", "rejected"]):
        submitted = app.events.get(to_status=Status.SUBMITTED)
        assert abs(submitted.at - app.submitted_at) < dt.timedelta(minutes=1)
        assert max(app.events.values_list("at", flat=True)) < timezone.now() - dt.timedelta(hours=12)
    for document in IssuedDocument.objects.filter(government=gov).select_related("application"):
        signed = document.application.events.get(to_status=Status.SIGNED)
        assert timezone.localdate(signed.at) == timezone.localdate(document.signed_at) == today


def check_the_warga_account_sees_its_own_applications_in_every_kind_of_state(demo: dict[str, Any], client: Any) -> None:
    warga = Citizen.objects.get(user__username="warga")
    statuses = set(Application.objects.filter(citizen=warga).values_list("status", flat=True))
    assert {"submitted", "incomplete", "in_review", "awaiting_payment", "issued", "closed"} <= statuses
    assert {"rejected", "cancelled"} <= statuses
    assert DeliveryOrder.objects.filter(application__citizen=warga, status="out").exists()
    client.force_login(warga.user)
    response = client.get(reverse("portal:my_applications"))
    assert response.status_code == 200
    for app in Application.objects.filter(citizen=warga):
        assert app.reference in response.content.decode()


def check_dpmptsp_documents_are_signed_by_the_plh_and_verify_against_the_demo_ca(demo: dict[str, Any]) -> None:
    gov = demo["government"]
    root = Path(demo["settings"].SIGNING_DIR) / ca.ROOT_CERT
    plh = get_user_model().objects.get(username="plh.dpmptsp").employee
    dpmptsp = IssuedDocument.objects.filter(government=gov, application__unit__code="DPMPTSP")
    assert dpmptsp.count() >= 5
    for document in dpmptsp:
        assert (document.signer, document.acting) == (plh, "plh")
        assert document.signer_position.startswith("Plh. ")
    pdf = private_path(dpmptsp.first().path).read_bytes()
    verdict = verify_pdf(pdf, [root])
    assert verdict.valid, verdict
    assert stamp_lines(pdf)[2].startswith("Plh. Kepala Dinas")
    dukcapil = IssuedDocument.objects.filter(government=gov, application__unit__code="DISDUKCAPIL")
    head = get_user_model().objects.get(username="kadis.dukcapil").employee
    assert dukcapil.exists() and {(d.signer, d.acting) for d in dukcapil} == {(head, "")}
    assert verify_pdf(private_path(dukcapil.first().path).read_bytes(), [root]).valid
    assert len(SIGNING_PASSPHRASE) >= 8


def check_ktp_el_appointments_and_deliveries_in_each_state(demo: dict[str, Any]) -> None:
    gov = demo["government"]
    today = demo["today"]
    slots = AppointmentSlot.objects.filter(government=gov)
    future = slots.filter(date__gte=today)
    assert future.exists() and max(future.values_list("date", flat=True)) <= today + dt.timedelta(days=13)
    for slot in slots.select_related("room"):
        assert slot.room is not None and slot.capacity <= slot.room.distancing_capacity
        assert slot.date.weekday() < 5
    appointments = Appointment.objects.filter(government=gov)
    assert appointments.filter(status="attended", slot__date__lt=today).count() >= 10
    assert appointments.filter(status="booked", slot__date__gte=today).count() == 4
    orders = DeliveryOrder.objects.filter(government=gov)
    assert set(orders.values_list("status", flat=True)) == {"scheduled", "out", "delivered", "failed", "rescheduled"}
    delivered = orders.filter(status="delivered")
    assert delivered.count() == 2
    for order in delivered.select_related("courier__user", "application"):
        assert order.courier.user.username == "kurir.dukcapil"
        assert private_path(order.photo).read_bytes()[:4] == b"\x89PNG"
        assert order.application.status == Status.CLOSED
    assert orders.filter(courier_kind="pos").exclude(tracking_number="").exists()
    rescheduled = orders.get(status="rescheduled")
    assert list(rescheduled.events.values_list("to_status", flat=True)) == ["scheduled", "out", "failed", "rescheduled"]


def check_the_ikm_has_figures_per_unit_and_service(demo: dict[str, Any]) -> None:
    gov = demo["government"]
    actor = actor_for_user(get_user_model().objects.get(username="bkpsdm"))
    today = demo["today"]
    report = ikm_report(actor, today - dt.timedelta(days=30), today)
    assert report["total"].respondents >= 6
    assert {row.name for row in report["units"]} == {
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        "Dinas Kependudukan dan Pencatatan Sipil",
    }
    assert len(report["services"]) == 6
    assert all(25 <= row.ikm.value <= 100 for row in report["services"])
    # the warga account's closed application still waits for its answer
    warga_closed = Application.objects.filter(citizen__user__username="warga", status="closed")
    assert warga_closed.filter(survey__isnull=True).exists()
    assert gov.pk


def check_a_second_run_adds_nothing(demo: dict[str, Any]) -> None:
    counts = (Application.objects.count(), Citizen.objects.count(), DeliveryOrder.objects.count())
    again = demo_public_services(government=demo["government"], today=demo["today"])
    assert not again.created
    out = StringIO()
    call_command("demo", "services", stdout=out)
    assert out.getvalue().strip() == "Kabupaten Sukoharjo already has public services; nothing added."
    assert (Application.objects.count(), Citizen.objects.count(), DeliveryOrder.objects.count()) == counts


def test_the_demo_public_services(settings: Any, tmp_path: Path, client: Any) -> None:
    # The demo is built once (it takes most of the time); each check reads what it wrote.
    demo = build(settings, tmp_path)
    check_every_state_is_there_moved_by_the_real_services(demo)
    check_the_warga_account_sees_its_own_applications_in_every_kind_of_state(demo, client)
    check_dpmptsp_documents_are_signed_by_the_plh_and_verify_against_the_demo_ca(demo)
    check_ktp_el_appointments_and_deliveries_in_each_state(demo)
    check_the_ikm_has_figures_per_unit_and_service(demo)
    check_a_second_run_adds_nothing(demo)
