"""The navigation of the public services: who sees which link (and every link shown opens for that
person), the login page for residents, a resident's landing on their applications, and the portal's
application page with the delivery status, the survey and the appointment links."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from siaga.delivery.models import Appointment, AppointmentSlot, DeliveryOrder
from siaga.services.models import Application, Mode, ProductKind, Service, Status
from siaga.services.tests.test_office_fixtures import ROLES, office  # noqa: F401 - the back office fixtures

pytestmark = pytest.mark.django_db

PORTAL = reverse("portal:index")
VERIFY = reverse("verify:index")
MINE = reverse("portal:my_applications")
QUEUE = reverse("services:queue")
CATALOGUE = reverse("services:catalogue")
SIGNING = reverse("services:signing_queue")
DELIVERIES = reverse("delivery:office_day")
TODAY = reverse("delivery:today")
SLOTS = reverse("delivery:slot_list")
IKM = reverse("survey:report")

#: the links of the public services in the navigation
SERVICE_LINKS = {PORTAL, VERIFY, MINE, QUEUE, CATALOGUE, SIGNING, DELIVERIES, TODAY, SLOTS, IKM}

BACK_OFFICE = {QUEUE, DELIVERIES, SLOTS}
EXPECTED = {
    "anonymous": {PORTAL, VERIFY},
    "citizen": {PORTAL, VERIFY, MINE},
    "admin": {PORTAL, VERIFY, CATALOGUE, IKM} | BACK_OFFICE,
    "officer": {PORTAL, VERIFY, TODAY} | BACK_OFFICE,
    "other_officer": {PORTAL, VERIFY, TODAY} | BACK_OFFICE,
    "head": {PORTAL, VERIFY, TODAY, SIGNING, IKM} | BACK_OFFICE,
    "plh": {PORTAL, VERIFY, TODAY, SIGNING, IKM} | BACK_OFFICE,
    "staff": {PORTAL, VERIFY, TODAY},
    "health": {PORTAL, VERIFY},
}


def nav_links(html: str) -> set[str]:
    header = html.split("<header", 1)[1].split("</header>", 1)[0]
    return {href for href in re.findall(r'href="([^"]+)"', header) if href in SERVICE_LINKS}


def client_for(office: dict, role: str) -> Client:  # noqa: F811
    client = Client()
    if role != "anonymous":
        client.force_login(office["people"][role])
    return client


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_each_role_sees_its_service_links_and_each_opens(office: dict, role: str) -> None:  # noqa: F811
    client = client_for(office, role)
    response = client.get(VERIFY)
    assert response.status_code == 200
    links = nav_links(response.content.decode())
    assert links == EXPECTED[role]
    for link in links:
        assert client.get(link, follow=True).status_code == 200, link


@pytest.mark.parametrize("role", ["citizen", "officer", "staff", "health"])
def test_links_not_shown_are_refused(office: dict, role: str) -> None:  # noqa: F811
    """What the navigation hides is also closed: the hidden back-office pages answer 403."""
    client = client_for(office, role)
    for link in (CATALOGUE, SIGNING, IKM) if role != "citizen" else (QUEUE, CATALOGUE, SIGNING, DELIVERIES, IKM):
        if link not in EXPECTED[role]:
            assert client.get(link).status_code == 403, link


@pytest.mark.indonesian
def test_the_links_are_in_indonesian(office: dict) -> None:  # noqa: F811
    page = client_for(office, "plh").get(VERIFY).content.decode()
    header = page.split("</header>", 1)[0]
    for text in ("Layanan", "Layanan: antrean", "Tanda tangan", "Verifikasi dokumen", "Pengantaran"):
        assert f">{text}<" in header, text
    for text in ("Pengantaran hari ini", "Jadwal kedatangan", "IKM"):
        assert f">{text}<" in header, text
    citizen = client_for(office, "citizen").get(VERIFY).content.decode().split("</header>", 1)[0]
    assert ">Permohonan saya<" in citizen
    admin = client_for(office, "admin").get(VERIFY).content.decode().split("</header>", 1)[0]
    assert ">Katalog layanan<" in admin


@pytest.mark.indonesian
def test_the_login_page_speaks_to_residents(client: Any, office: dict) -> None:  # noqa: F811
    page = client.get(reverse("login")).content.decode()
    assert '<label for="id_username">Nama pengguna, NIP atau NIK</label>' in page
    line = page.split('data-testid="residents"', 1)[1].split("</p>", 1)[0]
    assert "Warga" in line and f'href="{PORTAL}"' in line


def test_a_resident_lands_on_their_applications_after_login(client: Any, office: dict) -> None:  # noqa: F811
    citizen = office["siti"]
    citizen.verified_at = timezone.now()
    citizen.save(update_fields=["verified_at"])
    response = client.post(reverse("login"), {"username": citizen.nik, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == MINE
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["officer", "admin", "head", "plh", "staff"])
def test_others_still_land_on_the_dashboard(office: dict, role: str) -> None:  # noqa: F811
    response = client_for(office, role).get(reverse("home"))
    assert response.status_code == 200


# ---------------------------------------------------------------------------------------------------
# The portal's application page


@pytest.fixture
def ktp(office: dict) -> Service:  # noqa: F811
    return Service.objects.create(
        government=office["government"],
        unit=office["dinas"],
        code="ktp-el",
        name="KTP-el Pemula",
        sla_days=5,
        product="KTP-el",
        product_kind=ProductKind.ID_CARD,
        signer_position=office["pbg"].signer_position,
        mode=Mode.APPOINTMENT,
        restricted_mode=Mode.APPOINTMENT,
        deliverable=True,
    )


def detail(office: dict, application: Application) -> str:  # noqa: F811
    client = client_for(office, "citizen")
    response = client.get(reverse("portal:application", args=[application.reference]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_service_by_appointment_offers_the_booking_then_shows_it(
    office: dict,  # noqa: F811
    ktp: Service,
    make_application: Any,
) -> None:
    application = make_application(ktp, office["siti"])
    booking = reverse("delivery:appointment", args=[application.reference])
    page = detail(office, application)
    assert f'href="{booking}"' in page and 'data-testid="book"' in page
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    slot = AppointmentSlot.objects.create(
        government=office["government"],
        unit=office["dinas"],
        place="Loket 3",
        date=tomorrow,
        start=dt.time(9),
        end=dt.time(10),
        capacity=5,
    )
    appointment = Appointment.objects.create(
        government=office["government"], slot=slot, application=application, unit=office["dinas"]
    )
    page = detail(office, application)
    shown = page.split('data-testid="appointment"', 1)[1].split("</p>", 1)[0]
    assert "09:00" in shown and "Loket 3" in shown and f'href="{booking}"' in shown
    assert 'data-testid="book"' not in page
    appointment.status = Appointment.Status.ATTENDED
    appointment.save()
    assert booking not in detail(office, application)  # recorded: nothing more to book


def test_a_service_without_appointment_has_no_booking_link(office: dict, make_application: Any) -> None:  # noqa: F811
    application = make_application(office["usaha"], office["siti"])
    assert reverse("delivery:appointment", args=[application.reference]) not in detail(office, application)


def test_the_delivery_status_and_the_survey_link_are_shown(
    office: dict,  # noqa: F811
    ktp: Service,
    make_application: Any,
) -> None:
    application = make_application(
        ktp,
        office["siti"],
        status=Status.ISSUED,
        handover=Application.Handover.DELIVERY,
        delivery_address="Jl. Melati 5, Kartasura",
    )
    survey = reverse("survey:answer", args=[application.reference])
    page = detail(office, application)
    assert 'data-testid="delivery-status"' not in page and survey not in page
    DeliveryOrder.objects.create(
        government=office["government"],
        application=application,
        unit=office["dinas"],
        courier_kind="staff",
        courier=office["staff"],
        scheduled_on=timezone.localdate(),
        address="Jl. Melati 5, Kartasura",
        recipient="Siti Aminah",
    )
    page = detail(office, application)
    status = page.split('data-testid="delivery-status"', 1)[1].split("</section>", 1)[0]
    assert "Jl. Melati 5, Kartasura" in status
    Application.objects.filter(pk=application.pk).update(status=Status.CLOSED)
    assert f'href="{survey}"' in detail(office, application)
