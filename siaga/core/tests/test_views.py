"""Log-in, lockout, language, security headers, home per role, inbox, audit log, tokens, calendar."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from conftest import PASSWORD
from siaga.core.models import ApiToken, AuditEvent, CalendarOverride
from siaga.core.services import hash_token, notify

pytestmark = pytest.mark.django_db


def test_a_user_logs_in_and_lands_on_the_home_page(org, client):
    response = client.post(reverse("login"), {"username": "staf", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert home.context["dashboard"]["me"] == org["staff"]
    assert AuditEvent.objects.filter(action="login", actor=org["users"]["staff"]).count() == 1


def test_a_wrong_password_says_what_to_do_and_is_logged(org, client):
    response = client.post(reverse("login"), {"username": "staf", "password": "salah"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The user name or password is wrong. Check both and try again; after 5 failed tries "
        "the account is locked for a while."
    ]
    assert AuditEvent.objects.filter(action="login_failed", object_repr="staf").count() == 1


def test_repeated_failures_lock_the_account_even_for_the_right_password(org, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "staf", "password": "salah"})
    response = client.post(reverse("login"), {"username": "staf", "password": PASSWORD})
    assert response.status_code == 429
    assert "core/locked_out.html" in [t.name for t in response.templates]
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked.
    assert client.post(reverse("login"), {"username": "kabid", "password": PASSWORD}).status_code == 302


@pytest.mark.real_hashing
def test_passwords_are_hashed_with_argon2(db):
    user = get_user_model().objects.create_user("argon", password="Sangat-rahasia-99")
    assert user.password.startswith("argon2$")


@pytest.mark.indonesian
def test_pages_speak_indonesian_unless_the_user_switches(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "id"
    assert '<html lang="id">' in response.content.decode()
    switched = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert switched.status_code == 302
    assert client.get(reverse("login"))["Content-Language"] == "en"


def test_pages_carry_strict_security_headers(client, db):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_deploy_check_passes_with_production_settings(tmp_path):
    env = dict(
        os.environ,
        DEBUG="false",
        SIAGA_HTTPS="true",
        SECRET_KEY="x" * 20 + "-production-secret-key-abcdefghij",
        ALLOWED_HOSTS="siaga.sukoharjokab.go.id",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        SIAGA_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-m", "siaga.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_home_page_shows_each_role_its_own_summary(org, client):
    client.force_login(org["users"]["admin"])
    board = client.get(reverse("home")).context["dashboard"]
    assert board["counts"] == {"units": 4, "employees": 5, "buildings": 0, "delegations": 0}
    client.force_login(org["users"]["head"])
    board = client.get(reverse("home")).context["dashboard"]
    assert "counts" not in board
    assert [u.code for u in board["headed_units"]] == ["DPMPTSP"]
    assert board["team_size"] == 4
    client.force_login(org["users"]["staff"])
    board = client.get(reverse("home")).context["dashboard"]
    assert "headed_units" not in board and "counts" not in board
    assert board["me"] == org["staff"]


def test_the_inbox_shows_ones_own_messages_and_marks_them_read(org, client):
    staff = org["users"]["staff"]
    notes = notify(
        user=staff,
        government=org["government"],
        subject="Panggilan ke kantor",
        body="Segera hadir.",
        link="/org/units/",
        channels=("in_app",),
    )
    notify(
        user=org["users"]["kabid"],
        government=org["government"],
        subject="Bukan untuk staf",
        body="-",
        channels=("in_app",),
    )
    client.force_login(staff)
    inbox = client.get(reverse("notification_list"))
    assert [n.subject for n in inbox.context["page"]] == ["Panggilan ke kantor"]
    assert inbox.context["unread_notifications"] == 1
    opened = client.post(reverse("notification_open", args=[notes[0].pk]))
    assert opened["Location"] == "/org/units/"
    assert client.get(reverse("notification_list")).context["unread_notifications"] == 0
    other = notify(
        user=org["users"]["kabid"], government=org["government"], subject="x", body="y", channels=("in_app",)
    )[0]
    assert client.post(reverse("notification_open", args=[other.pk])).status_code == 404


def test_the_audit_log_filters_and_stays_within_the_government(org, client, other_government):
    AuditEvent.objects.create(
        government=org["government"],
        actor_label="bkpsdm",
        action="update",
        object_type="org.employee",
        object_repr="Staf Pelayanan",
    )
    AuditEvent.objects.create(
        government=other_government,
        actor_label="asing",
        action="update",
        object_type="org.employee",
        object_repr="Pegawai Karanganyar",
    )
    client.force_login(org["users"]["admin"])
    page = client.get(reverse("audit_list"), {"type": "org.employee"}).context["page"]
    assert [e.object_repr for e in page] == ["Staf Pelayanan"]
    assert [e.object_repr for e in client.get(reverse("audit_list"), {"q": "Karanganyar"}).context["page"]] == []


def test_an_admin_creates_a_token_that_is_shown_once_and_stored_hashed(org, client):
    client.force_login(org["users"]["admin"])
    response = client.post(
        reverse("token_list"),
        {
            "name": "SIMPEG",
            "user": org["users"]["admin"].pk,
            "valid_days": 30,
            "scope_org": "write",
            "scope_attendance": "read",
        },
    )
    key = response.context["new_key"]
    assert key.startswith("sga_")
    token = ApiToken.objects.get()
    assert token.key_hash == hash_token(key)
    assert key not in token.prefix and token.prefix == key[:10]
    assert token.scopes == ["org:read", "org:write", "attendance:read"]
    listing = client.get(reverse("token_list"))
    assert listing.context["new_key"] is None
    assert "org:write, attendance:read" in listing.content.decode()
    client.post(reverse("token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_an_admin_adds_a_local_holiday_and_others_may_only_read_the_calendar(org, client):
    client.force_login(org["users"]["admin"])
    response = client.post(reverse("calendar"), {"date": "2026-10-09", "kind": "holiday", "name": "Hari Jadi Kab."})
    assert response.status_code == 302
    override = CalendarOverride.objects.get()
    assert (override.date, override.government) == (dt.date(2026, 10, 9), org["government"])
    days = client.get(reverse("calendar"), {"year": 2026}).context["days"]
    local = [d for d in days if d["date"] == dt.date(2026, 10, 9)]
    assert local[0]["working"] is False and local[0]["name"] == "Hari Jadi Kab."
    client.force_login(org["users"]["staff"])
    assert client.get(reverse("calendar")).status_code == 200
    assert client.post(reverse("calendar"), {"date": "2026-10-10", "kind": "holiday", "name": "x"}).status_code == 403
    assert client.post(reverse("calendar_override_delete", args=[override.pk])).status_code == 403
    assert CalendarOverride.objects.count() == 1
