"""Back office pages, role by role: who sees the queues and an application, who takes, assigns and moves
it, and who gets its attachments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from siaga.core.uploads import store_private
from siaga.services.models import Application, Attachment, Status
from siaga.services.tests.test_office_fixtures import ROLES, office  # noqa: F401

pytestmark = pytest.mark.django_db
S = Status


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def app(office: dict, make_application: Any) -> Application:  # noqa: F811
    return make_application(office["pbg"], office["budi"], data={"lokasi": "Jl. Merdeka 1"})


QUEUE = {
    "admin": 200,
    "officer": 200,
    "other_officer": 200,
    "head": 200,
    "plh": 200,
    "staff": 403,
    "health": 403,
    "citizen": 403,
}
DETAIL = {**QUEUE, "other_officer": 404}
TAKE = {**DETAIL, "officer": 302, "admin": 403, "head": 403, "plh": 403}
ASSIGN = {**DETAIL, "officer": 403, "admin": 403, "head": 302, "plh": 302}
REGISTER = {**DETAIL, "officer": 302, "admin": 403, "head": 302, "plh": 302}


@pytest.mark.parametrize("role", ROLES)
def test_queue_page_by_role(office: dict, app: Application, role: str) -> None:  # noqa: F811
    response = _client(office["people"][role]).get(reverse("services:queue") + "?q=unassigned")
    assert response.status_code == QUEUE[role]
    if response.status_code == 200:
        # an officer of another OPD does not see DPMPTSP's applications
        assert (app.reference in response.content.decode()) == (role != "other_officer")


@pytest.mark.parametrize("role", ROLES)
def test_application_page_by_role(office: dict, app: Application, role: str) -> None:  # noqa: F811
    response = _client(office["people"][role]).get(reverse("services:application", args=[app.pk]))
    assert response.status_code == DETAIL[role]
    if response.status_code == 200:
        body = response.content.decode()
        assert "Jl. Merdeka 1" in body
        # the admin reads; only the officers of the unit and its head (or Plh) get the buttons
        assert ('data-testid="move-registered"' in body) == (role in {"officer", "head", "plh"})


@pytest.mark.parametrize("role", ROLES)
def test_take_by_role(office: dict, app: Application, role: str) -> None:  # noqa: F811
    response = _client(office["people"][role]).post(reverse("services:application_take", args=[app.pk]))
    assert response.status_code == TAKE[role]
    app.refresh_from_db()
    assert (app.assigned_to_id is not None) == (TAKE[role] == 302)


@pytest.mark.parametrize("role", ROLES)
def test_assign_by_role(office: dict, app: Application, role: str) -> None:  # noqa: F811
    response = _client(office["people"][role]).post(
        reverse("services:application_assign", args=[app.pk]), {"officer": office["officer2"].pk}
    )
    assert response.status_code == ASSIGN[role]
    app.refresh_from_db()
    assert (app.assigned_to_id == office["officer2"].pk) == (ASSIGN[role] == 302)


@pytest.mark.parametrize("role", ROLES)
def test_register_by_role(office: dict, app: Application, role: str) -> None:  # noqa: F811
    response = _client(office["people"][role]).post(
        reverse("services:application_move", args=[app.pk]), {"to": S.REGISTERED}
    )
    assert response.status_code == REGISTER[role]
    app.refresh_from_db()
    assert (app.status == S.REGISTERED) == (REGISTER[role] == 302)
    # registering makes a service officer the handler, never a head who registers it
    assert (app.assigned_to_id == office["officer"].pk) == (role == "officer")
    assert app.assigned_to_id is None or role == "officer"


def test_an_impossible_move_shows_the_form_with_the_message(office: dict, app: Application) -> None:  # noqa: F811
    client = _client(office["users"]["officer"])
    url = reverse("services:application_move", args=[app.pk])
    response = client.post(url, {"to": S.INCOMPLETE, "note": ""})
    assert response.status_code == 422
    assert "Say which requirement is missing or wrong." in response.content.decode()
    response = client.post(url, {"to": S.AWAITING_SIGNATURE})
    assert response.status_code == 422
    assert "cannot become" in response.content.decode()
    app.refresh_from_db()
    assert app.status == S.SUBMITTED


def test_htmx_moves_answer_the_application_fragment(office: dict, app: Application) -> None:  # noqa: F811
    client = _client(office["users"]["officer"])
    url = reverse("services:application_move", args=[app.pk])
    response = client.post(url, {"to": S.REGISTERED}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<section id="application"') and "<html" not in body
    assert 'data-testid="move-in_review"' in body
    # an error is answered 200 too (htmx swaps only 2xx) with the message in the fragment
    response = client.post(url, {"to": S.REGISTERED}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'data-testid="error"' in response.content.decode()


def test_the_head_filters_the_units_applications_and_sees_counts(
    office: dict,  # noqa: F811
    make_application: Any,
) -> None:
    late = make_application(
        office["usaha"],
        office["siti"],
        status=S.IN_REVIEW,
        assigned_to=office["officer"],
        due_on=timezone.localdate() - dt.timedelta(days=10),
    )
    fresh = make_application(office["pbg"], office["budi"])
    client = _client(office["users"]["head"])
    body = client.get(reverse("services:queue") + "?q=unit").content.decode()
    assert late.reference in body and fresh.reference in body
    assert 'data-testid="status-counts"' in body
    body = client.get(reverse("services:queue") + "?q=unit&overdue=on").content.decode()
    assert late.reference in body and fresh.reference not in body
    body = client.get(reverse("services:queue") + f"?q=unit&service={office['pbg'].pk}").content.decode()
    assert late.reference not in body and fresh.reference in body
    body = client.get(reverse("services:queue") + "?q=overdue").content.decode()
    assert late.reference in body and "working days late" in body
    # the officer sees it in their own queue, with what is left
    body = _client(office["users"]["officer"]).get(reverse("services:queue") + "?q=mine").content.decode()
    assert late.reference in body


ATTACHMENT = {
    "admin": 200,
    "officer": 200,
    "other_officer": 404,
    "head": 200,
    "plh": 200,
    "staff": 404,
    "health": 404,
    "citizen": 404,
    "applicant": 200,
}


@pytest.mark.parametrize("role", [*ROLES, "applicant"])
def test_attachments_only_to_those_who_may_see_the_application(
    office: dict,  # noqa: F811
    app: Application,
    role: str,
) -> None:
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    path = store_private(pdf, folder="services/test", extension="pdf")
    attachment = Attachment.objects.create(
        government=app.government,
        application=app,
        requirement="ktp",
        original_name='ktp "budi"\r\n.pdf',
        path=path,
        mime="application/pdf",
        size=len(pdf),
        sha256="0" * 64,
    )
    user = office["budi"].user if role == "applicant" else office["people"][role]
    response = _client(user).get(reverse("services:attachment", args=[attachment.pk]))
    assert response.status_code == ATTACHMENT[role]
    if response.status_code == 200:
        assert response["Content-Type"] == "application/pdf"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;") and "\r" not in disposition and "\n" not in disposition
        assert b"".join(response.streaming_content) == pdf  # type: ignore[attr-defined]


def test_an_attachment_of_an_unsafe_type_is_served_as_bytes(office: dict, app: Application) -> None:  # noqa: F811
    path = store_private(b"<script>alert(1)</script>", folder="services/test", extension="pdf")
    attachment = Attachment.objects.create(
        government=app.government,
        application=app,
        requirement="ktp",
        original_name="x.html",
        path=path,
        mime="text/html",
        size=10,
        sha256="0" * 64,
    )
    response = _client(office["users"]["officer"]).get(reverse("services:attachment", args=[attachment.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.indonesian
def test_screens_speak_indonesian(office: dict, app: Application) -> None:  # noqa: F811
    officer = _client(office["users"]["officer"])
    body = officer.get(reverse("services:queue")).content.decode()
    for name in ("Layanan: antrean", "Antrean saya", "Belum ditangani", "Lewat batas waktu", "Hampir jatuh tempo"):
        assert name in body
    body = officer.get(reverse("services:application", args=[app.pk])).content.decode()
    assert "Tandai belum lengkap" in body and "Registrasi" in body
    # a head lands on the whole unit, with the filters
    body = _client(office["users"]["head"]).get(reverse("services:queue")).content.decode()
    assert 'aria-current="page">Unit kerja' in body and app.reference in body


def test_the_queue_reads_a_bounded_number_of_rows(
    office: dict,  # noqa: F811
    make_application: Any,
    django_assert_max_num_queries: Any,
) -> None:
    today = timezone.localdate()
    for i in range(40):
        make_application(
            office["usaha"],
            office["siti"],
            status=S.IN_REVIEW,
            assigned_to=office["officer"],
            due_on=today + dt.timedelta(days=i % 4),
        )
    client = _client(office["users"]["officer"])
    client.get(reverse("services:queue"))  # warm the session and the actor
    with django_assert_max_num_queries(40):
        body = client.get(reverse("services:queue") + "?q=mine").content.decode()
    assert body.count('data-testid="application"') == 40
