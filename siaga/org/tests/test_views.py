"""Every organisation page, for the roles that may open it and those that must be refused."""

import datetime as dt

import pytest
from django.urls import reverse

from siaga.core.models import AuditEvent, Role
from siaga.org import services
from siaga.org.models import Building, Delegation, Floor, RiskProfile

pytestmark = pytest.mark.django_db


def names_in(response):
    return sorted(e.name for e in response.context["page"])


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", ["Kepala Bidang", "Kepala Dinas", "Staf Dinkes", "Staf Pelayanan", "Staf Umum"]),
        ("health", ["Kepala Bidang", "Kepala Dinas", "Staf Dinkes", "Staf Pelayanan", "Staf Umum"]),
        ("head", ["Kepala Bidang", "Kepala Dinas", "Staf Pelayanan", "Staf Umum"]),
        ("kabid", ["Kepala Bidang", "Staf Pelayanan"]),
        ("staff", ["Kepala Bidang", "Staf Pelayanan"]),
        ("other_staff", ["Staf Dinkes"]),
        ("officer", []),
    ],
)
def test_the_employee_list_shows_each_role_only_its_scope(org, client, who, expected):
    client.force_login(org["users"][who])
    response = client.get(reverse("org:employee_list"))
    assert response.status_code == 200
    assert names_in(response) == expected


def test_the_employee_list_filters_by_name_nip_and_unit(org, client):
    client.force_login(org["users"]["admin"])
    assert names_in(client.get(reverse("org:employee_list"), {"q": "staf"})) == [
        "Staf Dinkes",
        "Staf Pelayanan",
        "Staf Umum",
    ]
    nip = org["staff"].nip
    assert names_in(client.get(reverse("org:employee_list"), {"q": nip[:8]})) == ["Staf Pelayanan"]
    by_unit = client.get(reverse("org:employee_list"), {"unit": org["dinas"].pk})
    assert names_in(by_unit) == ["Kepala Bidang", "Kepala Dinas", "Staf Pelayanan", "Staf Umum"]


def test_the_employee_list_answers_htmx_with_the_results_only(org, client):
    client.force_login(org["users"]["admin"])
    response = client.get(reverse("org:employee_list"), {"q": "Umum"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert next(t.name for t in response.templates) == "org/_employee_results.html"
    assert b"<html" not in response.content


def test_the_employee_list_paginates(org, client, make_employee):
    for i in range(30):
        make_employee(org["umum"], f"Tambahan {i:02d}")
    client.force_login(org["users"]["admin"])
    first = client.get(reverse("org:employee_list"))
    assert len(first.context["page"]) == 25
    assert first.context["page"].paginator.count == 35
    second = client.get(reverse("org:employee_list"), {"page": 2})
    assert len(second.context["page"]) == 10


def test_an_employee_outside_ones_scope_is_not_found(org, client):
    client.force_login(org["users"]["staff"])
    assert client.get(reverse("org:employee_detail", args=[org["staff_umum"].pk])).status_code == 404
    assert client.get(reverse("org:employee_detail", args=[org["kabid"].pk])).status_code == 200


def test_contact_details_show_only_to_the_person_admins_task_force_and_heads_above(org, client):
    url = reverse("org:employee_detail", args=[org["staff"].pk])
    for who, shown in [("staff", True), ("admin", True), ("health", True), ("kabid", True), ("head", True)]:
        client.force_login(org["users"][who])
        response = client.get(url)
        assert response.context["show_contact"] is shown, who
        assert (b"081234567890" in response.content) is shown, who
    client.force_login(org["users"]["staff"])
    peer = client.get(reverse("org:employee_detail", args=[org["kabid"].pk]))
    assert peer.context["show_contact"] is False


def test_health_risk_is_shown_only_to_the_task_force_and_the_person_and_each_read_is_logged(org, client):
    RiskProfile.objects.create(government=org["government"], employee=org["staff"], comorbidity=True)
    url = reverse("org:employee_detail", args=[org["staff"].pk])
    for who in ("admin", "head", "kabid"):
        client.force_login(org["users"][who])
        response = client.get(url)
        assert response.context["show_health"] is False, who
        assert b'data-testid="health"' not in response.content
    assert not AuditEvent.objects.filter(action="read").exists()
    for who in ("health", "staff"):
        client.force_login(org["users"][who])
        response = client.get(url)
        assert response.context["risk_profile"].comorbidity is True
        assert b'data-testid="health"' in response.content
    reads = AuditEvent.objects.filter(action="read", object_type="org.riskprofile", object_id=str(org["staff"].pk))
    assert sorted(e.actor.username for e in reads) == ["satgas", "staf"]


def test_only_the_task_force_and_the_person_may_change_health_risk(org, client):
    url = reverse("org:employee_risk_update", args=[org["staff"].pk])
    client.force_login(org["users"]["admin"])
    assert client.post(url, {"comorbidity": "on"}).status_code == 403
    assert not RiskProfile.objects.exists()
    client.force_login(org["users"]["staff"])
    assert client.post(url, {"pregnant_or_breastfeeding": "on", "note": "trimester 2"}).status_code == 302
    profile = RiskProfile.objects.get(employee=org["staff"])
    assert (profile.comorbidity, profile.pregnant_or_breastfeeding) == (False, True)
    # The audit log names the record but never the flags.
    event = AuditEvent.objects.get(object_type="org.riskprofile", action="update")
    assert event.changes == {}


def test_the_unit_tree_nests_sub_units_and_counts_staff(org, client):
    client.force_login(org["users"]["staff"])
    response = client.get(reverse("org:unit_tree"))
    roots = {node.unit.code: node for node in response.context["roots"]}
    assert sorted(roots) == ["DINKES", "DPMPTSP"]
    assert [c.unit.code for c in roots["DPMPTSP"].children] == ["DPMPTSP-PEL", "DPMPTSP-UMUM"]
    assert roots["DPMPTSP"].total_employees == 4


def test_the_unit_page_names_the_head_and_the_acting_official(org, client):
    today = dt.date.today()
    services.delegation_create(
        government=org["government"],
        kind="plh",
        unit=org["dinas"],
        official=org["kadis"],
        acting=org["kabid"],
        start=today,
        end=today + dt.timedelta(days=10),
    )
    client.force_login(org["users"]["staff"])
    response = client.get(reverse("org:unit_detail", args=[org["dinas"].pk]))
    assert response.context["head"] == org["kadis"]
    assert response.context["acting"].acting == org["kabid"]
    assert response.context["can_appoint"] is False


def test_buildings_show_floors_with_capacity_and_assigned_staff(org, client):
    building = Building.objects.create(government=org["government"], code="menara-wijaya", name="Gedung Menara Wijaya")
    floor = Floor.objects.create(
        government=org["government"], building=building, number=5, capacity=60, distancing_capacity=30
    )
    org["staff"].floor = floor
    org["staff"].building = building
    org["staff"].save()
    client.force_login(org["users"]["staff"])
    response = client.get(reverse("org:building_detail", args=[building.pk]))
    assert response.status_code == 200
    assert response.context["floors"] == [{"floor": floor, "assigned": 1}]


@pytest.mark.parametrize(
    ("url_name", "allowed"),
    [
        ("org:delegation_list", {"admin", "head", "kabid"}),
        ("org:delegation_create", {"admin", "head", "kabid"}),
        ("org:authority_check", {"admin", "head", "kabid"}),
        ("org:import", {"admin"}),
        ("audit_list", {"admin"}),
        ("token_list", {"admin"}),
        ("org:unit_tree", {"admin", "health", "officer", "head", "kabid", "staff", "other_staff"}),
        ("org:employee_list", {"admin", "health", "officer", "head", "kabid", "staff", "other_staff"}),
        ("org:building_list", {"admin", "health", "officer", "head", "kabid", "staff", "other_staff"}),
        ("calendar", {"admin", "health", "officer", "head", "kabid", "staff", "other_staff"}),
    ],
)
def test_each_page_refuses_the_roles_that_may_not_open_it(org, client, url_name, allowed):
    for who, user in org["users"].items():
        client.force_login(user)
        status = client.get(reverse(url_name)).status_code
        assert status == (200 if who in allowed else 403), (who, status)


def test_anonymous_visitors_are_sent_to_the_login_page(org, client):
    for url in [reverse("home"), reverse("org:employee_list"), reverse("org:unit_tree"), reverse("audit_list")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_user_without_a_role_sees_no_organisation(org, client, make_user):
    client.force_login(make_user("tanpa.peran"))
    assert client.get(reverse("home")).status_code == 403
    assert client.get(reverse("org:employee_list")).status_code == 403


def test_nothing_of_another_government_is_visible(org, client, other_government, make_unit, make_employee, make_user):
    foreign_unit = make_unit(other_government, "DPMPTSP", "dinas", name="DPMPTSP Karanganyar")
    foreign_employee = make_employee(foreign_unit, "Pegawai Karanganyar")
    foreign_building = Building.objects.create(government=other_government, code="kantor", name="Kantor Karanganyar")
    foreign_admin = make_user("bkpsdm.kra", (other_government, Role.ADMIN))
    client.force_login(org["users"]["admin"])
    assert client.get(reverse("org:employee_detail", args=[foreign_employee.pk])).status_code == 404
    assert client.get(reverse("org:unit_detail", args=[foreign_unit.pk])).status_code == 404
    assert client.get(reverse("org:building_detail", args=[foreign_building.pk])).status_code == 404
    assert "Pegawai Karanganyar" not in names_in(client.get(reverse("org:employee_list")))
    client.force_login(foreign_admin)
    assert names_in(client.get(reverse("org:employee_list"))) == ["Pegawai Karanganyar"]
    assert client.get(reverse("org:employee_detail", args=[org["staff"].pk])).status_code == 404


def test_a_head_appoints_a_plh_for_a_unit_below_but_not_for_their_own(org, client):
    client.force_login(org["users"]["head"])
    form_units = client.get(reverse("org:delegation_create")).context["form"].fields["unit"].queryset
    assert sorted(u.code for u in form_units) == ["DPMPTSP-PEL", "DPMPTSP-UMUM"]
    today = dt.date.today()
    data = {
        "kind": "plh",
        "unit": org["pelayanan"].pk,
        "official": org["kabid"].nip,
        "acting": org["staff"].nip,
        "start": today.isoformat(),
        "end": (today + dt.timedelta(days=14)).isoformat(),
        "letter_number": "800/1",
    }
    response = client.post(reverse("org:delegation_create"), data)
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.acting, delegation.unit, delegation.created_by) == (
        org["staff"],
        org["pelayanan"],
        org["users"]["head"],
    )
    own = dict(data, unit=org["dinas"].pk, official=org["kadis"].nip, acting=org["kabid"].nip)
    response = client.post(reverse("org:delegation_create"), own)
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert Delegation.objects.count() == 1


def test_the_appointment_form_shows_the_rule_that_was_broken(org, client):
    client.force_login(org["users"]["admin"])
    today = dt.date.today()
    response = client.post(
        reverse("org:delegation_create"),
        {
            "kind": "plt",
            "unit": org["dinas"].pk,
            "acting": org["kabid"].nip,
            "start": today.isoformat(),
            "end": (today + dt.timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["kind"] == [
        "The post is held by Kepala Dinas; a Plt is for a vacant post. Appoint a Plh while the official is absent."
    ]
    response = client.post(
        reverse("org:delegation_create"),
        {
            "kind": "plh",
            "unit": org["dinas"].pk,
            "official": org["kadis"].nip,
            "acting": "199999999999999999",
            "start": today.isoformat(),
            "end": (today + dt.timedelta(days=10)).isoformat(),
        },
    )
    assert response.context["form"].errors["acting"] == ["No employee with NIP 199999999999999999 in this government."]


def test_ending_an_appointment_needs_the_right_to_appoint(org, client):
    today = dt.date.today()
    delegation = services.delegation_create(
        government=org["government"],
        kind="plh",
        unit=org["pelayanan"],
        official=org["kabid"],
        acting=org["staff"],
        start=today,
        end=today + dt.timedelta(days=10),
    )
    url = reverse("org:delegation_revoke", args=[delegation.pk])
    client.force_login(org["users"]["kabid"])
    assert client.post(url).status_code == 403
    client.force_login(org["users"]["head"])
    assert client.post(url).status_code == 302
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None


def test_the_authority_page_explains_the_answer(org, client):
    client.force_login(org["users"]["admin"])
    response = client.get(
        reverse("org:authority_check"),
        {
            "nip": org["kabid"].nip,
            "unit": org["dinas"].pk,
            "action": "approve_leave",
        },
    )
    answer = response.context["answer"]
    assert answer.allowed is False
    assert "neither the head of DPMPTSP" in answer.reason
