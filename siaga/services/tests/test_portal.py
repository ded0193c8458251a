"""Citizens' portal: the public catalogue, the mode of each service today, registration with a one-time
code, sign-in by NIK, e-mail or code."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from siaga.core.models import Notification, Role, RoleAssignment
from siaga.services import selectors, services_portal
from siaga.services.models import Citizen, FaceToFaceRestriction, Mode, OneTimeCode

pytestmark = pytest.mark.django_db

#: valid NIK: region 3311 (Sukoharjo) 01, born 1985-03-07
NIK_NEW = "3311010703850003"
PASSWORD = "kunci-rahasia-2026"


def last_code(address: str) -> str:
    """The 6-digit code in the newest message sent to ``address`` (read from the outbox)."""
    note = Notification.objects.filter(address__iexact=address).order_by("-pk").first()
    assert note is not None, f"no message to {address}"
    found = re.search(r"\b(\d{6})\b", note.subject + " " + note.body)
    assert found
    return found.group(1)


def register(client: Any, government: Any, **extra: Any) -> Any:
    data = {"nik": NIK_NEW, "name": "Rina Wulandari", "email": "rina@example.com", "password": PASSWORD, **extra}
    return client.post(reverse("portal:register", args=[government.code]), data)


# ---------------------------------------------------------------------------------------------------
# Catalogue


def test_portal_index_goes_straight_to_the_only_government(client: Any, government: Any) -> None:
    response = client.get(reverse("portal:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:catalogue", args=[government.code])


def test_portal_index_lists_governments_when_there_are_several(
    client: Any, government: Any, other_government: Any
) -> None:
    response = client.get(reverse("portal:index"))
    assert response.status_code == 200
    assert government.name in response.content.decode() and other_government.name in response.content.decode()


def test_effective_mode_switches_while_a_restriction_holds(desk: dict) -> None:
    pbg = desk["pbg"]
    pbg.mode, pbg.restricted_mode = Mode.IN_PERSON, Mode.ONLINE
    pbg.save()
    day = dt.date(2026, 11, 23)
    assert selectors.effective_mode(pbg, day) == Mode.IN_PERSON
    FaceToFaceRestriction.objects.create(
        government=desk["government"], start=day, end=day + dt.timedelta(days=13), reason="PPKM level 3"
    )
    assert selectors.effective_mode(pbg, day) == Mode.ONLINE
    assert selectors.effective_mode(pbg, day + dt.timedelta(days=14)) == Mode.IN_PERSON
    assert selectors.effective_mode(pbg, day - dt.timedelta(days=1)) == Mode.IN_PERSON
    # another government's restriction does not count
    FaceToFaceRestriction.objects.all().delete()
    from siaga.core.models import Government

    other = Government.objects.create(code="33.13", name="Karanganyar", kind="kabupaten")
    FaceToFaceRestriction.objects.create(government=other, start=day, reason="PPKM")
    assert selectors.effective_mode(pbg, day) == Mode.IN_PERSON


def test_catalogue_lists_active_services_by_unit_with_todays_mode(client: Any, desk: dict) -> None:
    usaha = desk["usaha"]
    usaha.mode, usaha.restricted_mode = Mode.ONLINE, Mode.IN_PERSON
    usaha.save()
    desk["pbg"].is_active = False
    desk["pbg"].save()
    government = desk["government"]
    url = reverse("portal:catalogue", args=[government.code])
    page = client.get(url).content.decode()
    assert "Izin Usaha Mikro" in page and "Persetujuan Bangunan Gedung" not in page
    assert 'data-mode="online"' in page and "DPMPTSP" in page
    FaceToFaceRestriction.objects.create(government=government, start=timezone.localdate(), reason="PPKM level 4")
    page = client.get(url).content.decode()
    assert 'data-mode="in_person"' in page and "PPKM level 4" in page


def test_service_page_shows_the_service_standard(client: Any, desk: dict) -> None:
    pbg = desk["pbg"]
    pbg.legal_basis, pbg.complaint_channel, pbg.procedure = "Perda 5/2023", "SP4N-LAPOR!", "Isi formulir"
    pbg.save()
    page = client.get(reverse("portal:service", args=[desk["government"].code, "pbg"])).content.decode()
    for text in (
        "KTP-el pemohon",
        "Gambar rencana",
        "10 working days",
        "Rp 1,500,000",
        "Surat PBG",
        "SP4N-LAPOR!",
        "Perda 5/2023",
        "Isi formulir",
    ):
        assert text in page, text


def test_unknown_government_or_service_is_404(client: Any, desk: dict, other_government: Any) -> None:
    assert client.get(reverse("portal:catalogue", args=["99.99"])).status_code == 404
    assert client.get(reverse("portal:service", args=[desk["government"].code, "nope"])).status_code == 404
    # a service exists only in its own government's portal
    assert client.get(reverse("portal:service", args=[other_government.code, "pbg"])).status_code == 404


# ---------------------------------------------------------------------------------------------------
# NIK


@pytest.mark.parametrize(
    ("nik", "fragment"),
    [
        ("331101070385", "16 digits; you entered 12"),
        ("3311O10703850003", "digits only"),
        ("9911010703850003", "first 4 digits"),
        ("3311013313850003", "birth date"),
        ("3311010703850000", "0000"),
        ("", "Enter your NIK"),
    ],
)
def test_nik_messages_say_what_is_wrong(nik: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services_portal.validate_nik(nik)
    assert fragment in caught.value.messages[0]


def test_nik_accepts_spaces_and_women_birth_day() -> None:
    assert services_portal.validate_nik("3311 0147 0385 0003") == "3311014703850003"


# ---------------------------------------------------------------------------------------------------
# Registration


def test_registration_sends_a_hashed_code_and_activates_on_the_right_code(client: Any, government: Any) -> None:
    response = register(client, government)
    assert response.status_code == 302, response.content.decode()
    user = get_user_model().objects.get(citizen__nik=NIK_NEW)
    assert not user.is_active
    code = last_code("rina@example.com")
    otc = OneTimeCode.objects.get(destination="rina@example.com")
    assert code not in otc.code_hash and otc.code_hash != code
    email = Notification.objects.get(address="rina@example.com")
    assert email.channel == Notification.Channel.EMAIL and email.status == Notification.Status.PENDING
    # the account cannot sign in yet
    assert client.post(reverse("login"), {"username": NIK_NEW, "password": PASSWORD}).status_code == 200
    response = client.post(reverse("portal:register_confirm", args=[government.code]), {"code": code})
    assert response.status_code == 302
    user.refresh_from_db()
    citizen = Citizen.objects.get(user=user)
    assert user.is_active and citizen.verified_at is not None
    assert RoleAssignment.objects.filter(user=user, government=government, role=Role.CITIZEN).exists()
    # signed in straight away
    assert client.get(reverse("portal:my_applications")).status_code == 200
    # the code is used up
    client.logout()
    again = client.post(reverse("portal:register_confirm", args=[government.code]), {"code": code})
    assert again.status_code == 200


def test_a_wrong_code_counts_and_the_code_stops_after_the_allowed_tries(
    client: Any, government: Any, settings: Any
) -> None:
    settings.PORTAL_CODE_ATTEMPTS = 3
    register(client, government)
    code = last_code("rina@example.com")
    wrong = "000000" if code != "000000" else "111111"
    url = reverse("portal:register_confirm", args=[government.code])
    first = client.post(url, {"code": wrong}).content.decode()
    assert "The code is wrong. You can try 2 more times." in first
    client.post(url, {"code": wrong})
    client.post(url, {"code": wrong})
    final = client.post(url, {"code": code}).content.decode()
    assert "Too many wrong tries" in final
    assert not get_user_model().objects.get(citizen__nik=NIK_NEW).is_active


def test_an_expired_code_is_refused(client: Any, government: Any) -> None:
    register(client, government)
    code = last_code("rina@example.com")
    OneTimeCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    page = client.post(reverse("portal:register_confirm", args=[government.code]), {"code": code}).content.decode()
    assert "This code has expired" in page


def test_resend_is_rate_limited_and_replaces_the_old_code(client: Any, government: Any, settings: Any) -> None:
    settings.PORTAL_CODE_RESEND_SECONDS = 60
    register(client, government)
    first = last_code("rina@example.com")
    resend = reverse("portal:code_resend", args=[government.code, "register"])
    page = client.post(resend, follow=True).content.decode()
    assert "Wait" in page and OneTimeCode.objects.count() == 1
    OneTimeCode.objects.update(created_at=timezone.now() - dt.timedelta(seconds=61))
    client.post(resend)
    assert OneTimeCode.objects.count() == 2
    second = last_code("rina@example.com")
    url = reverse("portal:register_confirm", args=[government.code])
    if first != second:
        assert "The code is wrong" in client.post(url, {"code": first}).content.decode()
    assert client.post(url, {"code": second}).status_code == 302


def test_registration_refuses_bad_input_and_writes_nothing(client: Any, government: Any) -> None:
    page = register(client, government, nik="3311010703", email="", phone="", password="123").content.decode()
    assert "16 digits" in page and "e-mail address or a phone number" in page
    assert "This password is too short" in page
    assert not Citizen.objects.exists() and not OneTimeCode.objects.exists()


def test_phone_only_registration_needs_whatsapp(client: Any, government: Any, settings: Any) -> None:
    settings.WHATSAPP_TOKEN = ""
    page = register(client, government, email="", phone="081234567890").content.decode()
    assert "Codes are sent by e-mail here" in page
    settings.WHATSAPP_TOKEN, settings.WHATSAPP_PHONE_NUMBER_ID = "token", "123"
    assert register(client, government, email="", phone="081234567890").status_code == 302
    note = Notification.objects.get(channel=Notification.Channel.WHATSAPP)
    assert note.address == "6281234567890"


def test_one_nik_one_citizen_per_government(client: Any, government: Any, other_government: Any) -> None:
    register(client, government)
    client.post(reverse("portal:register_confirm", args=[government.code]), {"code": last_code("rina@example.com")})
    client.logout()
    page = register(client, government, email="rina2@example.com").content.decode()
    assert "already registered" in page
    # another government's portal is another account
    assert register(client, other_government).status_code == 302
    assert Citizen.objects.filter(nik=NIK_NEW).count() == 2


def test_registering_again_before_confirming_replaces_the_pending_details(client: Any, government: Any) -> None:
    register(client, government)
    OneTimeCode.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert register(client, government, name="Rina W.", email="rina.w@example.com").status_code == 302
    citizen = Citizen.objects.get(nik=NIK_NEW)
    assert citizen.name == "Rina W." and citizen.email == "rina.w@example.com"


# ---------------------------------------------------------------------------------------------------
# Sign-in


@pytest.fixture
def rina(government: Any) -> Citizen:
    _citizen, otc = services_portal.registration_start(
        government=government, nik=NIK_NEW, name="Rina Wulandari", email="rina@example.com", password=PASSWORD
    )
    return services_portal.registration_confirm(
        government=government, code_id=otc.pk, code=last_code("rina@example.com")
    )


@pytest.mark.parametrize("username", [NIK_NEW, "3311 0107 0385 0003", "RINA@example.com"])
def test_sign_in_with_nik_or_email_on_the_login_page(client: Any, rina: Citizen, username: str) -> None:
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    assert client.get(reverse("portal:my_applications")).status_code == 200


def test_wrong_password_is_refused_and_locks_out_after_the_limit(client: Any, rina: Citizen, settings: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": NIK_NEW, "password": "salah-sekali-123"})
        assert response.status_code in (200, 429)
    locked = client.post(reverse("login"), {"username": NIK_NEW, "password": PASSWORD})
    assert locked.status_code == 429
    assert client.get(reverse("portal:my_applications")).status_code == 302


def test_sign_in_by_code_for_those_who_forgot(client: Any, rina: Citizen) -> None:
    government = rina.government
    OneTimeCode.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    response = client.post(reverse("portal:code_login", args=[government.code]), {"identifier": NIK_NEW})
    assert response.status_code == 302
    code = last_code("rina@example.com")
    assert OneTimeCode.objects.filter(purpose=OneTimeCode.Purpose.LOGIN).count() == 1
    response = client.post(reverse("portal:code_login_confirm", args=[government.code]), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("portal:my_applications")).status_code == 200


def test_sign_in_by_code_does_not_reveal_who_is_registered(client: Any, government: Any) -> None:
    response = client.post(reverse("portal:code_login", args=[government.code]), {"identifier": "3311010703850099"})
    assert response.status_code == 302
    assert not Notification.objects.exists()
    page = client.post(
        reverse("portal:code_login_confirm", args=[government.code]), {"code": "123456"}
    ).content.decode()
    assert "no longer valid" in page


def test_an_employee_still_signs_in_with_the_user_name(client: Any, org: dict) -> None:
    from conftest import PASSWORD as STAFF_PASSWORD

    assert client.post(reverse("login"), {"username": "petugas", "password": STAFF_PASSWORD}).status_code == 302


def test_resend_without_a_code_in_progress_says_to_start_again(client: Any, government: Any) -> None:
    for purpose in ("register", "login"):
        page = client.post(reverse("portal:code_resend", args=[government.code, purpose]), follow=True)
        assert "Start again from the first step" in page.content.decode()
    assert not OneTimeCode.objects.exists()
    assert client.post(reverse("portal:code_resend", args=[government.code, "other"])).status_code == 404
