"""A unit head pins or overrides one day of a plan and sees at once which rule it breaks."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from siaga.core.models import AuditEvent, Role
from siaga.org.models import Floor
from siaga.rostering import selectors, services
from siaga.rostering.models import RosterAssignment
from siaga.rostering.tasks import solve_plan
from siaga.rostering.tests import test_plans
from siaga.rostering.tests.test_plans import START, make_plan

# The solver reports progress from its own threads, which use their own database connections.
pytestmark = pytest.mark.django_db(transaction=True)
planned_org = test_plans.planned_org  # the organisation and policy of the planning tests


@pytest.fixture
def unit_plan(planned_org, make_employee, settings):
    """A draft for DPMPTSP by its head: Bidang Pelayanan (cap 1 of 2, one front-office holder on site)
    and Bidang Umum (4 people, cap 2), one shift "hari", floor menara-wijaya-5."""
    settings.ROSTER_WORKERS = 1
    for n in range(3):
        make_employee(planned_org["umum"], f"Staf Umum {n}")

    def build():
        plan = make_plan(planned_org, who="head", unit=planned_org["dinas"], time_limit=5)
        assert solve_plan.call(plan.pk) == "draft"
        plan.refresh_from_db()
        return plan

    return build


def day(plan, unit, mode, date=START):
    """The first row of ``unit`` on ``date`` with ``mode`` (by employee name)."""
    return (
        RosterAssignment.objects.filter(plan=plan, employee__unit=unit, date=date, mode=mode)
        .select_related("employee__unit", "plan")
        .order_by("employee__name")
        .first()
    )


def test_going_over_the_cap_reports_exactly_that_rule_with_its_numbers(planned_org, unit_plan):
    plan = unit_plan()
    home = day(plan, planned_org["pelayanan"], "wfh")
    result = services.assignment_override(assignment=home, mode="wfo", shift="hari", actor=planned_org["users"]["head"])
    assert [(v.rule, v.message) for v in result.violations] == [
        ("H5", "WFO cap of Bidang Pelayanan exceeded on 7 Dec: 2 on site, at most 1 allowed")
    ]
    home.refresh_from_db()
    assert (home.mode, home.shift, home.pinned_by) == ("wfo", "hari", planned_org["users"]["head"])
    # The stored result follows the rows: the heatmap counts the override.
    plan.refresh_from_db()
    _days, _shifts, rows = selectors.plan_heatmap(plan=plan, by="unit")
    pelayanan = next(r for r in rows if r["id"] == "DPMPTSP-PEL")
    assert pelayanan["cells"][0].on_site == 2
    event = AuditEvent.objects.filter(object_type="rostering.rosterassignment").get()
    assert event.changes["assignment"] == [["wfh", ""], ["wfo", "hari"]]
    assert event.changes["broken_rules"] == ["H5"]


def test_leaving_the_service_unstaffed_reports_the_coverage_rule(planned_org, unit_plan):
    plan = unit_plan()
    office = day(plan, planned_org["pelayanan"], "wfo")
    result = services.assignment_override(assignment=office, mode="wfh", shift="", actor=planned_org["users"]["admin"])
    assert [(v.rule, v.message) for v in result.violations] == [
        ("H6", "Too few front_office on site in Bidang Pelayanan on 7 Dec, shift hari: 0 of the 1 needed")
    ]
    office.refresh_from_db()
    assert (office.mode, office.shift, office.pinned_by) == ("wfh", "", planned_org["users"]["admin"])


def test_a_full_floor_reports_its_capacity(planned_org, unit_plan):
    # One seat with distancing, taken by Pelayanan's front office: Umum (cap 2) works from home.
    Floor.objects.filter(number=5).update(distancing_capacity=1)
    plan = unit_plan()
    assert RosterAssignment.objects.filter(plan=plan, date=START, mode="wfo").count() == 1
    home = day(plan, planned_org["umum"], "wfh")
    result = services.assignment_override(assignment=home, mode="wfo", shift="hari", actor=planned_org["users"]["head"])
    assert [(v.rule, v.message) for v in result.violations] == [
        ("H7", "Floor menara-wijaya-5 over capacity on 7 Dec, shift hari: 2 of 1")
    ]


def test_a_harmless_override_reports_nothing(planned_org, unit_plan):
    plan = unit_plan()
    office = day(plan, planned_org["umum"], "wfo")
    result = services.assignment_override(assignment=office, mode="wfh", shift="", actor=planned_org["users"]["head"])
    assert result.violations == []
    assert selectors.plan_rule_breaks(plan=plan) == []
    office.refresh_from_db()
    assert (office.mode, office.pinned_by) == ("wfh", planned_org["users"]["head"])


def test_unknown_shifts_modes_and_other_plans_are_refused(planned_org, unit_plan):
    plan = unit_plan()
    home = day(plan, planned_org["umum"], "wfh")
    head = planned_org["users"]["head"]
    with pytest.raises(ValidationError) as shift_error:
        services.assignment_override(assignment=home, mode="wfo", shift="malam", actor=head)
    assert shift_error.value.message_dict == {"shift": ["Choose one of the shifts: hari."]}
    with pytest.raises(ValidationError) as mode_error:
        services.assignment_override(assignment=home, mode="off", shift="", actor=head)
    assert mode_error.value.message_dict == {"mode": ["Choose the office (in a shift) or home."]}
    # A superseded (or cancelled, failed…) plan is not edited.
    plan.status = "superseded"
    plan.save(update_fields=["status"])
    with pytest.raises(ValidationError) as status_error:
        services.assignment_override(assignment=home, mode="wfo", shift="hari", actor=head)
    assert status_error.value.messages == ["Only a draft or a published roster can be changed."]
    home.refresh_from_db()
    assert (home.mode, home.pinned_by) == ("wfh", None)


def test_the_unit_page_overrides_with_htmx_and_keeps_showing_broken_rules(planned_org, unit_plan, client):
    plan = unit_plan()
    home = day(plan, planned_org["pelayanan"], "wfh")
    client.force_login(planned_org["users"]["head"])
    page = reverse("rostering:plan_unit", args=[plan.pk, "DPMPTSP-PEL"])
    assert client.get(page).context["violations"] == []
    url = reverse("rostering:plan_assignment_override", args=[plan.pk, "DPMPTSP-PEL", home.pk])
    response = client.post(url, {"mode": "wfo:hari"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<td id="cell-{home.pk}" class="cell wfo pinned"')
    assert 'id="plan-rules" data-testid="rule-report" hx-swap-oob="true"' in html
    assert "WFO cap of Bidang Pelayanan exceeded on 7 Dec: 2 on site, at most 1 allowed" in html
    # Reloading the page still shows the broken rule.
    shown = client.get(page).context["violations"]
    assert [(v.rule, v.message) for v in shown] == [
        ("H5", "WFO cap of Bidang Pelayanan exceeded on 7 Dec: 2 on site, at most 1 allowed")
    ]
    # Without htmx: back to the page with the rules as a message.
    back = client.post(url, {"mode": "wfh"})
    assert back.status_code == 302
    assert back["Location"] == page


def test_only_heads_and_bkpsdm_may_override(planned_org, unit_plan, client, make_user, other_government):
    plan = unit_plan()
    home = day(plan, planned_org["pelayanan"], "wfh")
    url = reverse("rostering:plan_assignment_override", args=[plan.pk, "DPMPTSP-PEL", home.pk])
    outsider = make_user("bkpsdm-lain", (other_government, Role.ADMIN))
    for who, status in [("staff", 403), ("officer", 403), ("kabid", 404), (outsider, 404)]:
        client.force_login(planned_org["users"][who] if isinstance(who, str) else outsider)
        assert client.post(url, {"mode": "wfo:hari"}, HTTP_HX_REQUEST="true").status_code == status, who
    home.refresh_from_db()
    assert (home.mode, home.pinned_by) == ("wfh", None)
    client.force_login(planned_org["users"]["admin"])
    assert client.post(url, {"mode": "wfo:hari"}, HTTP_HX_REQUEST="true").status_code == 200
    home.refresh_from_db()
    assert (home.mode, home.pinned_by) == ("wfo", planned_org["users"]["admin"])
    # A head's own plan, but a unit outside it.
    kabid_plan = make_plan(planned_org, who="kabid", unit=planned_org["pelayanan"], time_limit=5)
    solve_plan.call(kabid_plan.pk)
    row = RosterAssignment.objects.filter(plan=plan, employee__unit=planned_org["umum"]).first()
    client.force_login(planned_org["users"]["kabid"])
    other_unit = reverse("rostering:plan_assignment_override", args=[kabid_plan.pk, "DPMPTSP-UMUM", row.pk])
    assert client.post(other_unit, {"mode": "wfh"}).status_code == 404
    # The service refuses whoever may not plan the unit, whatever the page.
    with pytest.raises(PermissionDenied):
        services.assignment_override(assignment=row, mode="wfh", shift="", actor=planned_org["users"]["kabid"])


def test_overriding_a_published_day_tells_the_employee_and_a_draft_tells_nobody(planned_org, unit_plan, make_user):
    from siaga.core.models import Notification

    plan = unit_plan()
    home = day(plan, planned_org["umum"], "wfh")
    person = home.employee
    person.user = make_user(f"u{person.nip}")
    person.save(update_fields=["user"])
    head = planned_org["users"]["head"]
    services.assignment_override(assignment=home, mode="wfo", shift="hari", actor=head)
    assert not Notification.objects.filter(recipient=person.user).exists()  # a draft is nobody's schedule yet
    plan = services.plan_publish(plan=plan, actor=head)
    Notification.objects.all().delete()
    row = RosterAssignment.objects.get(pk=home.pk)
    services.assignment_override(assignment=row, mode="wfh", shift="", actor=head)
    notes = Notification.objects.filter(recipient=person.user, channel="in_app")
    assert [(n.subject, n.body) for n in notes] == [
        (
            "Your work schedule changed on 7 Dec",
            "Your day in the roster was changed by hand: 7 Dec: office (hari) → home.",
        )
    ]
    assert Notification.objects.exclude(recipient=person.user).count() == 0
    # Setting the day to what it already is changes nothing and tells nobody.
    services.assignment_override(assignment=RosterAssignment.objects.get(pk=home.pk), mode="wfh", shift="", actor=head)
    assert notes.count() == 1
