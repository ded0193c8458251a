"""The task force's dashboard: counts among ASN (cumulative and active, with and without symptoms), the
epidemic curve, counts by unit and building, people in isolation and quarantine; task force only, every
read logged; the filters stay inside the government."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from siaga.core.models import AuditEvent
from siaga.org.models import Building
from siaga.outbreak import dashboard, services
from siaga.outbreak.dashboard import DashboardFilters
from siaga.outbreak.tests.conftest import days_ago

pytestmark = pytest.mark.django_db


def page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def outbreak(org: dict[str, Any], task_force: Any) -> dict[str, Any]:
    """Four ASN cases and a visitor: two confirmed now (one with symptoms), one confirmed and finished, one
    close contact; Bidang Pelayanan sits in Menara Wijaya."""
    tower = Building.objects.create(government=org["government"], code="menara", name="Menara Wijaya")
    org["pelayanan"].building = tower
    org["pelayanan"].save()
    staff = services.case_create(
        actor=task_force, employee=org["staff"], classification="confirmed_asymptomatic", specimen_date=days_ago(3)
    )
    kabid = services.case_create(
        actor=task_force, employee=org["kabid"], classification="confirmed_symptomatic", onset_date=days_ago(5)
    )
    finished = services.case_create(
        actor=task_force,
        employee=org["other_staff"],
        classification="confirmed_asymptomatic",
        specimen_date=days_ago(20),
    )
    services.case_classify(actor=task_force, case=finished, to="isolation_finished")
    contact = services.case_create(
        actor=task_force, employee=org["staff_umum"], classification="close_contact", last_exposure=days_ago(2)
    )
    visitor = services.case_create(
        actor=task_force,
        visitor_name="Tamu Positif",
        classification="confirmed_asymptomatic",
        specimen_date=days_ago(4),
    )
    iso = services.order_issue(actor=task_force, case=staff, kind="isolation", start=days_ago(3))
    quar = services.order_issue(actor=task_force, case=contact, kind="quarantine", start=days_ago(1))
    return {
        "tower": tower,
        "staff": staff,
        "kabid": kabid,
        "contact": contact,
        "visitor": visitor,
        "iso": iso,
        "quar": quar,
    }


def test_counts_among_asn_cumulative_and_active_with_symptom_status(task_force, outbreak):
    d = dashboard.dashboard(actor=task_force)
    # the visitor is not an ASN; the finished case still counts among the confirmed, without symptoms
    assert (d.confirmed, d.confirmed_symptomatic, d.confirmed_asymptomatic) == (3, 1, 2)
    assert (d.active, d.active_symptomatic, d.active_asymptomatic) == (2, 1, 1)
    assert (d.recovered, d.died) == (1, 0)
    current = {value: n for value, _label, n in d.by_classification}
    assert current["close_contact"] == 1 and current["isolation_finished"] == 1 and current["suspect"] == 0
    assert [o.case_id for o in d.isolation] == [outbreak["staff"].pk]
    assert [(o.case_id, o.end) for o in d.quarantine] == [(outbreak["contact"].pk, outbreak["quar"].end)]


def test_the_curve_counts_confirmed_cases_per_day_of_onset_or_specimen(task_force, outbreak):
    curve = dashboard.dashboard(actor=task_force).curve
    # 20 days ago (specimen, finished), 5 days ago (onset), 3 days ago (specimen); every day in between
    assert curve.days[0].date == days_ago(20) and curve.days[-1].date == days_ago(3)
    assert len(curve.days) == 18
    by_day = {d.date: (d.symptomatic, d.asymptomatic) for d in curve.days}
    assert by_day[days_ago(20)] == (0, 1)
    assert by_day[days_ago(5)] == (1, 0)
    assert by_day[days_ago(3)] == (0, 1)
    assert sum(d.total for d in curve.days) == 3
    # every bar of a day with cases stands on the baseline and reaches the top for the peak
    tall = [b for b in curve.bars if b.day.total]
    assert len(tall) == 3
    for bar in tall:
        assert bar.y_sym + bar.h_sym + bar.h_asym == curve.baseline
        assert bar.y_sym == dashboard.CURVE_TOP


def test_filters_by_unit_with_its_subunits_and_by_building(org, task_force, outbreak):
    dinas = dashboard.dashboard(actor=task_force, filters=DashboardFilters(unit=org["dinas"]))
    assert dinas.confirmed == 2 and dinas.recovered == 0
    assert sorted(dinas.by_unit) == [("Bidang Pelayanan", 2)]
    assert dinas.by_opd == [("DPMPTSP", 2)]
    other = dashboard.dashboard(actor=task_force, filters=DashboardFilters(unit=org["other_unit"]))
    assert (other.confirmed, other.recovered, len(other.isolation)) == (1, 1, 0)
    tower = dashboard.dashboard(actor=task_force, filters=DashboardFilters(building=outbreak["tower"]))
    assert tower.confirmed == 2 and tower.by_building == [("Menara Wijaya", 2)]
    assert [o.case_id for o in tower.isolation] == [outbreak["staff"].pk] and tower.quarantine == []
    everyone = dashboard.dashboard(actor=task_force)
    assert ("Menara Wijaya", 2) in everyone.by_building and ("—", 1) in everyone.by_building
    assert everyone.by_opd == [("DPMPTSP", 2), ("Dinas Kesehatan", 1)]


def test_the_page_shows_the_headline_curve_and_orders_and_logs_each_view(org, outbreak):
    health = org["users"]["health"]
    client = page(health)
    response = client.get("/outbreak/dashboard/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 confirmed, 2 without symptoms" in html
    svg = re.search(r'<svg class="chart" data-testid="curve".*?</svg>', html, re.S)
    assert svg is not None and len(re.findall(r"<rect ", svg.group(0))) == 3
    isolation = re.search(r'data-testid="isolation".*?</table>', html, re.S).group(0)  # type: ignore[union-attr]
    assert "Staf Pelayanan" in isolation and outbreak["iso"].end.strftime("%-d") in isolation
    quarantine = re.search(r'data-testid="quarantine".*?</table>', html, re.S).group(0)  # type: ignore[union-attr]
    assert "Staf Umum" in quarantine
    assert "Tamu Positif" not in html
    # htmx: the body only, filtered by building
    partial = client.get(
        "/outbreak/dashboard/", {"building": outbreak["tower"].pk}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in partial and "2 confirmed, 1 without symptoms" in partial
    events = AuditEvent.objects.filter(actor=health, action="read", object_type="outbreak.case", object_id="dashboard")
    assert events.count() == 2
    assert f"building={outbreak['tower'].pk}" in events.order_by("pk").last().object_repr  # type: ignore[union-attr]


def test_the_kept_page_shows_a_new_case_at_once_to_the_whole_task_force_and_logs_every_view(
    org, outbreak, task_force, settings, make_user
):
    from siaga.core.models import Role

    settings.COMMAND_CACHE_SECONDS = 30
    health = org["users"]["health"]
    colleague = make_user("satgas2", (org["government"], Role.HEALTH))
    first, second = page(health), page(colleague)
    assert "3 confirmed, 2 without symptoms" in first.get("/outbreak/dashboard/").content.decode()
    assert "3 confirmed, 2 without symptoms" in second.get("/outbreak/dashboard/").content.decode()
    services.case_create(
        actor=task_force, employee=org["kadis"], classification="confirmed_symptomatic", onset_date=days_ago(1)
    )
    assert "4 confirmed, 2 without symptoms" in second.get("/outbreak/dashboard/").content.decode()
    partial = first.get("/outbreak/dashboard/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "4 confirmed, 2 without symptoms" in partial
    # every view is in the audit log, with the cluster list it shows
    for user, views in ((health, 2), (colleague, 2)):
        reads = AuditEvent.objects.filter(actor=user, action="read")
        assert reads.filter(object_type="outbreak.case", object_id="dashboard").count() == views
        assert reads.filter(object_type="outbreak.cluster", object_id="list").count() == views


@pytest.mark.indonesian
def test_the_headline_in_indonesian(org, outbreak):
    html = page(org["users"]["health"]).get("/outbreak/dashboard/").content.decode()
    assert "3 terkonfirmasi, 2 tanpa gejala" in html


def test_an_empty_government_has_an_empty_curve(org):
    html = page(org["users"]["health"]).get("/outbreak/dashboard/").content.decode()
    assert 'data-testid="curve-empty"' in html and "0 confirmed, 0 without symptoms" in html


@pytest.mark.parametrize("who", ["kabid", "head", "admin", "officer", "staff", "other_staff"])
def test_every_other_role_is_refused_and_nothing_is_logged_for_them(org, outbreak, who):
    user = org["users"][who]
    client = page(user)
    assert client.get("/outbreak/dashboard/").status_code == 403
    assert client.get("/outbreak/dashboard/", headers={"HX-Request": "true"}).status_code == 403
    assert not AuditEvent.objects.filter(actor=user, action="read", object_type="outbreak.case").exists()


def test_anonymous_visitors_are_sent_to_log_in(outbreak):
    response = Client().get("/outbreak/dashboard/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_another_governments_task_force_sees_only_its_own_nothing(outbreak, outsider_health, org):
    client = page(outsider_health)
    html = client.get("/outbreak/dashboard/").content.decode()
    assert "0 confirmed, 0 without symptoms" in html and "Staf Pelayanan" not in html
    # a unit or building of the other government is not a valid filter
    response = client.get("/outbreak/dashboard/", {"building": outbreak["tower"].pk})
    assert response.status_code == 422 and "Staf Pelayanan" not in response.content.decode()
    response = client.get("/outbreak/dashboard/", {"unit": org["dinas"].pk})
    assert response.status_code == 422 and "Staf Pelayanan" not in response.content.decode()


def test_the_api_gives_the_same_figures_to_the_task_force_and_logs_the_read(org, outbreak):
    from siaga.api.tests.conftest import ApiClient

    health = org["users"]["health"]
    api = ApiClient(user=health)
    response = api.get("/outbreak/dashboard")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["confirmed"], body["confirmed_asymptomatic"], body["active"]) == (3, 2, 2)
    assert [c["case_id"] for c in body["in_isolation"]] == [outbreak["staff"].pk]
    assert body["in_quarantine"][0]["end"] == outbreak["quar"].end.isoformat()
    assert sum(day["total"] for day in body["curve"]) == 3
    filtered = api.get("/outbreak/dashboard", building=outbreak["tower"].pk).json()
    assert filtered["confirmed"] == 2 and filtered["by_building"] == [{"name": "Menara Wijaya", "confirmed": 2}]
    assert AuditEvent.objects.filter(actor=health, action="read", object_id="dashboard").count() == 2


@pytest.mark.parametrize("who", ["kabid", "head", "admin", "officer", "staff", "other_staff"])
def test_the_api_refuses_every_other_role(org, outbreak, who):
    from siaga.api.tests.conftest import ApiClient

    assert ApiClient(user=org["users"][who]).get("/outbreak/dashboard").status_code == 403


def test_the_api_refuses_anonymous_callers_and_foreign_filters(org, outbreak, outsider_health):
    from siaga.api.tests.conftest import ApiClient

    assert ApiClient().get("/outbreak/dashboard").status_code == 401
    api = ApiClient(user=outsider_health)
    assert api.get("/outbreak/dashboard").json()["confirmed"] == 0
    assert api.get("/outbreak/dashboard", building=outbreak["tower"].pk).status_code == 404
    assert api.get("/outbreak/dashboard", unit=org["dinas"].pk).status_code == 404


def test_the_page_shows_active_clusters_with_their_graph_and_the_buildings_under_measures(org, task_force, outbreak):
    import datetime as dt

    from django.utils import timezone

    from siaga.measures.services import measure_set
    from siaga.outbreak.clusters import cluster_create
    from siaga.outbreak.models import Case

    cases = list(Case.objects.filter(classification__startswith="confirmed", employee__isnull=False)[:2])
    cluster_create(actor=task_force, name="Klaster Menara Wijaya", cases=cases)
    today = timezone.localdate()
    measure_set(
        government=org["government"],
        building=outbreak["tower"],
        kind="restrict",
        capacity_percent=50,
        start=today,
        end=today + dt.timedelta(days=6),
        reason="Klaster kasus",
    )
    response = page(org["users"]["health"]).get("/outbreak/dashboard/")
    html = response.content.decode()
    clusters = html[html.index('data-testid="dashboard-clusters"') : html.index('data-testid="dashboard-measures"')]
    assert "Klaster Menara Wijaya" in clusters and "2 cases" in clusters
    assert clusters.count("<circle") == 2  # the graph of the cluster's cases
    measures = html[html.index('data-testid="dashboard-measures"') :]
    assert "Menara Wijaya" in measures and "50%" in measures


def test_the_figures_are_kept_between_views_until_something_they_show_changes(org, task_force, outbreak, settings):
    """Views in a row count once per process; a saved change shows at the next view; every view is logged."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.COMMAND_CACHE_SECONDS = 30
    logged = AuditEvent.objects.filter(object_type="outbreak.case", object_id="dashboard").count()
    first = dashboard.dashboard(actor=task_force)
    with CaptureQueriesContext(connection) as kept:
        again = dashboard.dashboard(actor=task_force)
    assert again.active == first.active == 2
    assert not [q for q in kept.captured_queries if "outbreak_case" in q["sql"]]  # not counted again
    assert AuditEvent.objects.filter(object_type="outbreak.case", object_id="dashboard").count() == logged + 2

    # the task force records a case: the next view shows it
    services.case_create(
        actor=task_force, employee=org["kadis"], classification="confirmed_symptomatic", onset_date=days_ago(1)
    )
    assert dashboard.dashboard(actor=task_force).active == 3

    # a change that bypasses the models' signals shows once the figures are older than the setting
    from siaga.outbreak.models import Case

    Case.objects.filter(pk=outbreak["kabid"].pk).update(classification="died")
    assert dashboard.dashboard(actor=task_force).active == 3
    settings.COMMAND_CACHE_SECONDS = 0
    assert dashboard.dashboard(actor=task_force).active == 2


def test_figures_past_the_period_are_served_while_one_thread_counts_them_afresh(
    org, task_force, outbreak, settings, monkeypatch
):
    """A change that bypassed the models' signals shows after one period, and no viewer waits for it: the
    view past the period gets the kept figures and page at once and starts one recount; after ten periods
    without a view, the view counts in the request."""
    from siaga.outbreak.models import Case

    settings.COMMAND_CACHE_SECONDS = 30
    clock = [5_000.0]
    monkeypatch.setattr(dashboard.time, "monotonic", lambda: clock[0])
    recounts: list = []
    monkeypatch.setattr(dashboard, "recount_in_background", lambda count, **_: recounts.append(count))
    health = page(org["users"]["health"])

    def died_on_the_page() -> str:
        html = health.get("/outbreak/dashboard/").content.decode()
        return re.search(r'data-testid="count-died">(\d+)<', html)[1]

    assert (dashboard.dashboard(actor=task_force).died, died_on_the_page()) == (0, "0")
    Case.objects.filter(pk=outbreak["kabid"].pk).update(classification="died")  # no signal: nothing renewed
    clock[0] += 29
    assert (dashboard.dashboard(actor=task_force).died, died_on_the_page()) == (0, "0")
    assert recounts == []

    clock[0] += 2  # past the period: kept figures and page at once, one recount of each for the next view
    assert (dashboard.dashboard(actor=task_force).died, died_on_the_page()) == (0, "0")
    assert (dashboard.dashboard(actor=task_force).died, died_on_the_page()) == (0, "0")
    assert len(recounts) == 2  # the figures and the page; the second views did not start more
    for recount in recounts:
        recount()  # what the background threads run
    assert (dashboard.dashboard(actor=task_force).died, died_on_the_page()) == (1, "1")
    assert len(recounts) == 2  # fresh again: nothing more to count

    # a recount that fails keeps what was there, and the next view past the period starts another
    clock[0] += 31
    assert dashboard.dashboard(actor=task_force).died == 1
    with monkeypatch.context() as broken:
        broken.setattr(dashboard, "_count", lambda *args: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            recounts[2]()
    assert dashboard.dashboard(actor=task_force).died == 1
    assert len(recounts) == 4

    # ten periods without a view: counted in the request, no thread
    Case.objects.filter(pk=outbreak["kabid"].pk).update(classification="confirmed_symptomatic")
    clock[0] += 10 * 30
    assert (dashboard.dashboard(actor=task_force).died, died_on_the_page()) == (0, "0")
    assert len(recounts) == 4


def test_the_kept_figures_of_one_government_never_answer_another(task_force, outbreak, outsider_health, actor_of):
    mine = dashboard.dashboard(actor=task_force)
    theirs = dashboard.dashboard(actor=actor_of(outsider_health))
    assert mine.active == 2
    assert (theirs.confirmed, theirs.active, theirs.isolation) == (0, 0, [])
