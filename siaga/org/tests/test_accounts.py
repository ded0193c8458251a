"""Accounts for employees: the user name is the NIP and a link to choose a password is sent."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from siaga.core.access import DerivedRole, actor_for_user
from siaga.core.models import Notification

pytestmark = pytest.mark.django_db


def test_an_admin_creates_an_account_for_an_employee_and_an_invitation_goes_out(org, client):
    employee = org["staff_umum"]
    employee.email = "umum@example.go.id"
    employee.save()
    client.force_login(org["users"]["admin"])
    response = client.post(reverse("org:employee_account_create", args=[employee.pk]))
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.user.username == employee.nip
    assert not employee.user.has_usable_password()
    note = Notification.objects.get(recipient=employee.user, channel="email")
    assert (note.address, note.subject) == ("umum@example.go.id", "Your Siaga account")
    assert "/password/set/" in note.link
    assert actor_for_user(employee.user).roles == {DerivedRole.EMPLOYEE}


def test_an_employee_without_an_address_or_with_an_account_is_refused(org, client):
    client.force_login(org["users"]["admin"])
    response = client.post(reverse("org:employee_account_create", args=[org["staff_umum"].pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Record an e-mail address or a WhatsApp number for Staf Umum first; the invitation is sent there."
    ]
    response = client.post(reverse("org:employee_account_create", args=[org["staff"].pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Staf Pelayanan already has an account."]


def test_only_admins_create_accounts(org, client):
    client.force_login(org["users"]["head"])
    assert client.post(reverse("org:employee_account_create", args=[org["staff_umum"].pk])).status_code == 403
    org["staff_umum"].refresh_from_db()
    assert org["staff_umum"].user is None


def test_the_invite_command_creates_accounts_for_everyone_reachable(org, make_employee):
    for i in range(3):
        make_employee(org["umum"], f"Baru {i}", email=f"baru{i}@example.go.id")
    out = io.StringIO()
    call_command("invite", "--government", "33.11", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "Would invite 3; 1 have no e-mail or WhatsApp number."
    out = io.StringIO()
    call_command("invite", "--government", "33.11", "--unit", "DPMPTSP", stdout=out)
    assert out.getvalue().strip() == "Invited 3; 1 have no e-mail or WhatsApp number; 0 could not be invited."
    assert Notification.objects.filter(channel="email", subject="Your Siaga account").count() == 3
