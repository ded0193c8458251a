"""The role walk: every page of the site and every API operation, requested as every role.

Each route is requested as each role of a fixture world (tests/security/world.py): GET, or for a
page that only accepts POST a POST with empty data; API operations with their own method and an
empty JSON body. Path parameters name objects of the *other* government where the walk knows one
(units, employees, buildings), and ids/references that do not exist otherwise.

It fails when:
- any request answers 500;
- a role succeeds (2xx) that the matrix below does not list for the route;
- a role listed in the matrix does not succeed (the matrix must stay true, so it is also a check that
  the intended roles reach the page);
- a route has no matrix entry (a new page or operation must be added here, deliberately).

Routes aimed at the other government's objects or at objects that do not exist must succeed for
nobody: their matrix entry is ``NOBODY``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from django.test import Client

from tests.security.walk import Route, api_routes, matrix_problems, page_routes
from tests.security.world import ROLES, build_world

pytestmark = pytest.mark.django_db

NOBODY: frozenset[str] = frozenset()
ANY = frozenset(ROLES)
ALL_USERS = ANY - {"anonymous"}
GOV_USERS = ALL_USERS - {"other_admin"}
EMPLOYEES = frozenset({"head", "plh", "staff"})
HEADS = frozenset({"head", "plh"})


def _r(*roles: str) -> frozenset[str]:
    unknown = set(roles) - set(ROLES)
    assert not unknown, unknown
    return frozenset(roles)


# ---- the matrix: which roles may succeed (2xx) on each route, sorted by route name --------------------
# Pages by URL name, API operations by "api." + operationId. Routes whose parameters name the other
# government's objects succeed only for "other_admin" (its own government); routes naming objects that
# do not exist succeed for NOBODY. API lists answer every caller within their own scope (an empty list
# for a role with nothing in scope), so they succeed for every user.
MATRIX: dict[str, frozenset[str]] = {
    "/admin/login/": _r("anonymous"),
    "admin:auth_group_add": NOBODY,
    "admin:auth_group_changelist": NOBODY,
    "admin:auth_user_add": NOBODY,
    "admin:auth_user_changelist": NOBODY,
    "admin:autocomplete": NOBODY,
    "admin:axes_accessattempt_add": NOBODY,
    "admin:axes_accessattempt_changelist": NOBODY,
    "admin:axes_accessfailurelog_add": NOBODY,
    "admin:axes_accessfailurelog_changelist": NOBODY,
    "admin:axes_accesslog_add": NOBODY,
    "admin:axes_accesslog_changelist": NOBODY,
    "admin:django_tasks_database_dbtaskresult_add": NOBODY,
    "admin:django_tasks_database_dbtaskresult_changelist": NOBODY,
    "admin:index": NOBODY,
    "admin:jsi18n": NOBODY,
    "admin:login": _r("anonymous"),
    "admin:logout": NOBODY,
    "admin:password_change": NOBODY,
    "admin:password_change_done": NOBODY,
    "api.siaga_attendance_api_check_in_create": NOBODY,
    "api.siaga_attendance_api_check_in_detail": NOBODY,
    "api.siaga_attendance_api_check_in_list": ALL_USERS,
    "api.siaga_attendance_api_check_out": NOBODY,
    "api.siaga_attendance_api_exception_create": NOBODY,
    "api.siaga_attendance_api_exception_list": ALL_USERS,
    "api.siaga_attendance_api_presence_list": NOBODY,
    "api.siaga_command_api_situation": _r("admin", "health", "other_admin"),
    "api.siaga_delivery_api_appointment_book": NOBODY,
    "api.siaga_delivery_api_appointment_cancel": NOBODY,
    "api.siaga_delivery_api_appointment_slots": NOBODY,
    "api.siaga_delivery_api_courier_today": _r("head", "plh", "staff"),
    "api.siaga_delivery_api_order_create": NOBODY,
    "api.siaga_delivery_api_order_delivered": NOBODY,
    "api.siaga_delivery_api_order_depart": NOBODY,
    "api.siaga_delivery_api_order_detail": NOBODY,
    "api.siaga_delivery_api_order_failed": NOBODY,
    "api.siaga_delivery_api_order_list": _r("admin", "head", "other_admin", "plh"),
    "api.siaga_delivery_api_order_reschedule": NOBODY,
    "api.siaga_measures_api_disinfection_complete": NOBODY,
    "api.siaga_measures_api_disinfection_create": NOBODY,
    "api.siaga_measures_api_disinfection_list": ALL_USERS,
    "api.siaga_measures_api_disinfection_overdue": _r("admin", "health", "other_admin"),
    "api.siaga_measures_api_measure_create": NOBODY,
    "api.siaga_measures_api_measure_lift": NOBODY,
    "api.siaga_measures_api_measure_list": _r("admin", "head", "health", "officer", "other_admin", "plh", "staff"),
    "api.siaga_meetings_api_event_cancel": NOBODY,
    "api.siaga_meetings_api_event_create": NOBODY,
    "api.siaga_meetings_api_event_detail": NOBODY,
    "api.siaga_meetings_api_event_list": ALL_USERS,
    "api.siaga_meetings_api_event_reschedule": NOBODY,
    "api.siaga_meetings_api_meeting_attendance": NOBODY,
    "api.siaga_meetings_api_meeting_cancel": NOBODY,
    "api.siaga_meetings_api_meeting_create": NOBODY,
    "api.siaga_meetings_api_meeting_decision": NOBODY,
    "api.siaga_meetings_api_meeting_detail": NOBODY,
    "api.siaga_meetings_api_meeting_list": ALL_USERS,
    "api.siaga_meetings_api_meeting_reschedule": NOBODY,
    "api.siaga_meetings_api_room_list": _r("admin", "head", "other_admin", "plh"),
    "api.siaga_org_api_authority": NOBODY,
    "api.siaga_org_api_building_detail": _r("other_admin"),
    "api.siaga_org_api_building_list": _r("admin", "head", "health", "officer", "other_admin", "plh", "staff"),
    "api.siaga_org_api_delegation_create": NOBODY,
    "api.siaga_org_api_delegation_detail": NOBODY,
    "api.siaga_org_api_delegation_list": _r("admin", "head", "health", "officer", "other_admin", "plh", "staff"),
    "api.siaga_org_api_delegation_revoke": NOBODY,
    "api.siaga_org_api_employee_create": NOBODY,
    "api.siaga_org_api_employee_detail": _r("other_admin"),
    "api.siaga_org_api_employee_list": _r("admin", "head", "health", "officer", "other_admin", "plh", "staff"),
    "api.siaga_org_api_employee_update": _r("other_admin"),
    "api.siaga_org_api_me": ALL_USERS,
    "api.siaga_org_api_position_list": _r("admin", "head", "health", "officer", "other_admin", "plh", "staff"),
    "api.siaga_org_api_unit_detail": _r("other_admin"),
    "api.siaga_org_api_unit_list": _r("admin", "head", "health", "officer", "other_admin", "plh", "staff"),
    "api.siaga_outbreak_api_case_classify": NOBODY,
    "api.siaga_outbreak_api_case_create": NOBODY,
    "api.siaga_outbreak_api_case_detail": NOBODY,
    "api.siaga_outbreak_api_case_list": _r("head", "health", "plh", "staff"),
    "api.siaga_outbreak_api_case_proposals": NOBODY,
    "api.siaga_outbreak_api_clusters_case_graph": NOBODY,
    "api.siaga_outbreak_api_clusters_cluster_add": NOBODY,
    "api.siaga_outbreak_api_clusters_cluster_close": NOBODY,
    "api.siaga_outbreak_api_clusters_cluster_create": NOBODY,
    "api.siaga_outbreak_api_clusters_cluster_detail": NOBODY,
    "api.siaga_outbreak_api_clusters_cluster_graph": NOBODY,
    "api.siaga_outbreak_api_clusters_cluster_list": _r("health"),
    "api.siaga_outbreak_api_clusters_cluster_proposals": _r("health"),
    "api.siaga_outbreak_api_clusters_cluster_remove": NOBODY,
    "api.siaga_outbreak_api_clusters_finding_detail": NOBODY,
    "api.siaga_outbreak_api_clusters_finding_start": NOBODY,
    "api.siaga_outbreak_api_clusters_finding_verdict": NOBODY,
    "api.siaga_outbreak_api_contact_add": NOBODY,
    "api.siaga_outbreak_api_contact_decide": NOBODY,
    "api.siaga_outbreak_api_contact_list": NOBODY,
    "api.siaga_outbreak_api_contact_trace": NOBODY,
    "api.siaga_outbreak_api_dashboard_dashboard_get": _r("health"),
    "api.siaga_outbreak_api_followup_followup_missing": _r("health"),
    "api.siaga_outbreak_api_followup_followup_table": NOBODY,
    "api.siaga_outbreak_api_followup_second_generation": NOBODY,
    "api.siaga_outbreak_api_followup_self_contact_report": NOBODY,
    "api.siaga_outbreak_api_followup_symptom_check_submit": NOBODY,
    "api.siaga_outbreak_api_followup_symptom_check_today": _r("head", "plh", "staff"),
    "api.siaga_outbreak_api_lab_result_add": NOBODY,
    "api.siaga_outbreak_api_lab_result_list": NOBODY,
    "api.siaga_outbreak_api_order_end": NOBODY,
    "api.siaga_outbreak_api_order_issue": NOBODY,
    "api.siaga_outbreak_api_order_list": NOBODY,
    "api.siaga_rostering_api_leave_decide": NOBODY,
    "api.siaga_rostering_api_leave_list": ALL_USERS,
    "api.siaga_rostering_api_leave_request": NOBODY,
    "api.siaga_rostering_api_my_schedule": ALL_USERS,
    "api.siaga_rostering_api_plan_cancel": NOBODY,
    "api.siaga_rostering_api_plan_create": NOBODY,
    "api.siaga_rostering_api_plan_days": NOBODY,
    "api.siaga_rostering_api_plan_detail": NOBODY,
    "api.siaga_rostering_api_plan_list": _r("admin", "head", "other_admin", "plh"),
    "api.siaga_rostering_api_plan_publish": NOBODY,
    "api.siaga_services_api_documents_document_pdf": NOBODY,
    "api.siaga_services_api_documents_verification": NOBODY,
    "api.siaga_services_api_office_application_assign": NOBODY,
    "api.siaga_services_api_office_application_detail": NOBODY,
    "api.siaga_services_api_office_application_move": NOBODY,
    "api.siaga_services_api_office_application_take": NOBODY,
    "api.siaga_services_api_office_queue": _r("admin", "head", "officer", "other_admin", "plh"),
    "api.siaga_services_api_portal_application_detail": NOBODY,
    "api.siaga_services_api_portal_application_list": _r("citizen"),
    "api.siaga_services_api_portal_service_list": ALL_USERS,
    "api.siaga_survey_api_survey_answer": NOBODY,
    "api.siaga_survey_api_survey_ikm": _r("admin", "head", "other_admin", "plh"),
    "api.siaga_workday_api_recall_acknowledge": NOBODY,
    "api.siaga_workday_api_recall_cancel": NOBODY,
    "api.siaga_workday_api_recall_check": NOBODY,
    "api.siaga_workday_api_recall_detail": NOBODY,
    "api.siaga_workday_api_recall_list": ALL_USERS,
    "api.siaga_workday_api_recall_send": NOBODY,
    "api.siaga_workday_api_travel_permit_cancel": NOBODY,
    "api.siaga_workday_api_travel_permit_decide": NOBODY,
    "api.siaga_workday_api_travel_permit_detail": NOBODY,
    "api.siaga_workday_api_travel_permit_list": ALL_USERS,
    "api.siaga_workday_api_travel_permit_request": NOBODY,
    "api.siaga_workday_api_work_report_decide": NOBODY,
    "api.siaga_workday_api_work_report_detail": NOBODY,
    "api.siaga_workday_api_work_report_list": ALL_USERS,
    "api.siaga_workday_api_work_report_recap": _r("admin", "head", "other_admin", "plh"),
    "api.siaga_workday_api_work_report_recap_xlsx": _r("admin", "head", "other_admin", "plh"),
    "api.siaga_workday_api_work_report_save": NOBODY,
    "api.siaga_workday_api_work_report_submit": NOBODY,
    "attendance:check_in": NOBODY,
    "attendance:check_out": NOBODY,
    "attendance:exception_grant": NOBODY,
    "attendance:home": _r("head", "plh", "staff"),
    "attendance:my_recap": _r("head", "plh", "staff"),
    "attendance:presence": _r("head", "health", "plh", "staff"),
    "attendance:room_list": _r("admin", "head", "other_admin", "plh"),
    "attendance:room_poster": NOBODY,
    "attendance:room_scan": NOBODY,
    # a head of exactly one unit (the Plh here) is redirected (302) to that unit"s page
    "attendance:unit_list": _r("admin", "head", "other_admin"),
    "attendance:unit_recap": NOBODY,
    "attendance:unit_today": NOBODY,
    "audit_list": _r("admin", "other_admin"),
    "calendar": _r("admin", "head", "health", "officer", "other_admin", "plh", "staff"),
    "calendar_override_delete": NOBODY,
    "delivery:appointment": NOBODY,
    "delivery:appointment_mark": NOBODY,
    # the command center: the leader, BKPSDM and the task force (no leader in this world)
    "command:index": _r("admin", "health", "other_admin"),
    "command:report": _r("admin", "health", "other_admin"),
    "command:subscription": NOBODY,  # a POST answers with a redirect (others get 403)
    "command:unit": NOBODY,  # the walk names a unit code that does not exist (others get 403)
    "delivery:office_day": _r("admin", "head", "other_admin", "plh"),
    "delivery:order": NOBODY,
    "delivery:order_create": NOBODY,
    "delivery:order_delivered": NOBODY,
    "delivery:order_depart": NOBODY,
    "delivery:order_failed": NOBODY,
    "delivery:order_photo": NOBODY,
    "delivery:order_reschedule": NOBODY,
    "delivery:slot": NOBODY,
    "delivery:slot_list": _r("admin", "head", "other_admin", "plh"),
    "delivery:today": _r("head", "plh", "staff"),
    # a resident who is not an employee lands on the portal's "Permohonan saya" (302)
    "home": ALL_USERS - {"citizen"},
    # operators' endpoints: the health check for anyone; metrics by address (the test client is loopback)
    "healthz": ANY,
    "metrics": ANY,
    "login": _r("anonymous"),
    "logout": NOBODY,
    "measures:disinfection_cancel": NOBODY,
    "measures:disinfection_complete": NOBODY,
    "measures:disinfection_create": _r("admin", "health", "other_admin"),
    "measures:disinfection_detail": NOBODY,
    "measures:disinfection_list": ALL_USERS,
    "measures:disinfection_overdue": _r("admin", "health", "other_admin"),
    "measures:disinfection_photo": NOBODY,
    "measures:measure_create": _r("admin", "health", "other_admin"),
    "measures:measure_lift": NOBODY,
    "measures:measure_list": _r("admin", "head", "health", "officer", "other_admin", "plh", "staff"),
    "meetings:attend": NOBODY,
    "meetings:cancel": NOBODY,
    "meetings:decide": NOBODY,
    "meetings:detail": NOBODY,
    "meetings:event_detail": NOBODY,
    "meetings:event_list": ALL_USERS,
    "meetings:event_new": _r("admin", "other_admin"),
    "meetings:event_reschedule": NOBODY,
    "meetings:list": ALL_USERS,
    "meetings:move": NOBODY,
    "meetings:new": _r("admin", "head", "other_admin", "plh"),
    "meetings:room_options": _r("admin", "head", "other_admin", "plh"),
    "notification_list": ALL_USERS,
    "notification_open": NOBODY,
    "notification_read_all": NOBODY,
    "org:authority_check": _r("admin", "head", "other_admin", "plh"),
    "org:building_detail": _r("other_admin"),
    "org:building_list": _r("admin", "head", "health", "officer", "other_admin", "plh", "staff"),
    "org:delegation_create": _r("admin", "head", "other_admin", "plh"),
    "org:delegation_list": _r("admin", "head", "other_admin", "plh"),
    "org:delegation_revoke": NOBODY,
    "org:employee_account_create": NOBODY,
    "org:employee_detail": _r("other_admin"),
    "org:employee_edit": _r("other_admin"),
    "org:employee_list": _r("admin", "head", "health", "officer", "other_admin", "plh", "staff"),
    "org:employee_risk_update": NOBODY,
    "org:import": _r("admin", "other_admin"),
    "org:import_detail": NOBODY,
    "org:import_template": _r("admin", "other_admin"),
    "org:space_status": NOBODY,
    "org:unit_detail": _r("other_admin"),
    "org:unit_edit": _r("other_admin"),
    "org:unit_tree": _r("admin", "head", "health", "officer", "other_admin", "plh", "staff"),
    "outbox_list": _r("admin", "other_admin"),
    "outbox_resend": NOBODY,
    "outbreak:case_classify": NOBODY,
    "outbreak:case_create": _r("health"),
    "outbreak:case_dates": NOBODY,
    "outbreak:case_detail": NOBODY,
    "outbreak:case_graph": NOBODY,
    "outbreak:case_list": _r("health"),
    "outbreak:cluster_close": NOBODY,
    "outbreak:cluster_detail": NOBODY,
    "outbreak:cluster_list": _r("health"),
    "outbreak:cluster_member_add": NOBODY,
    "outbreak:cluster_member_remove": NOBODY,
    "outbreak:contact_add": NOBODY,
    "outbreak:contact_decide": NOBODY,
    "outbreak:contact_trace": NOBODY,
    "outbreak:daily_check": _r("head", "plh", "staff"),
    "outbreak:dashboard": _r("health"),
    "outbreak:export": _r("health"),
    "outbreak:finding_progress": NOBODY,
    "outbreak:finding_start": NOBODY,
    "outbreak:finding_verdict": NOBODY,
    "outbreak:followup_missing": _r("health"),
    "outbreak:lab_result_add": NOBODY,
    "outbreak:my_cases": _r("head", "plh", "staff"),
    "outbreak:order_end": NOBODY,
    "outbreak:order_issue": NOBODY,
    "outbreak:reclassify_symptomatic": NOBODY,
    "outbreak:rule_sets": _r("health"),
    "outbreak:second_generation": NOBODY,
    "outbreak:self_contacts": _r("head", "plh", "staff"),
    "password_change": ALL_USERS,
    "password_reset": ANY,
    "password_reset_done": ANY,
    "password_set": ANY,
    "password_set_done": ANY,
    "portal:application": NOBODY,
    "portal:apply": NOBODY,
    "portal:attachment": NOBODY,
    "portal:catalogue": ANY,
    "portal:code_login": ANY,
    "portal:code_login_confirm": ANY,
    "portal:code_resend": NOBODY,
    "portal:index": ANY,
    "portal:my_applications": _r("citizen"),
    "portal:register": ANY,
    "portal:register_confirm": ANY,
    "portal:resubmit": NOBODY,
    "portal:service": NOBODY,
    "portal:withdraw": NOBODY,
    "rostering:calendar_feed": NOBODY,
    "rostering:coverage_rule_delete": NOBODY,
    "rostering:home": _r("admin", "other_admin"),
    "rostering:leave_decide": NOBODY,
    "rostering:leave_list": ALL_USERS,
    "rostering:leave_request": _r("head", "plh", "staff"),
    "rostering:my_calendar": _r("head", "plh", "staff"),
    "rostering:my_schedule": ALL_USERS,
    "rostering:plan_assignment_override": NOBODY,
    "rostering:plan_cancel": NOBODY,
    "rostering:plan_changes": NOBODY,
    "rostering:plan_detail": NOBODY,
    "rostering:plan_list": _r("admin", "head", "other_admin", "plh"),
    "rostering:plan_publish": NOBODY,
    "rostering:plan_unit": NOBODY,
    "rostering:plan_unit_pdf": NOBODY,
    "rostering:plan_unit_xlsx": NOBODY,
    "rostering:policy_edit": NOBODY,
    "rostering:preset_adopt": NOBODY,
    "rostering:problem_json": NOBODY,
    "rostering:situation_create": NOBODY,
    "rostering:unit_detail": NOBODY,
    "rostering:unit_list": _r("admin", "head", "other_admin", "plh"),
    "services:application": NOBODY,
    "services:application_assign": NOBODY,
    "services:application_move": NOBODY,
    "services:application_take": NOBODY,
    "services:attachment": NOBODY,
    "services:catalogue": _r("admin", "other_admin"),
    "services:document_download": NOBODY,
    "services:queue": _r("admin", "head", "officer", "other_admin", "plh"),
    "services:restriction_create": NOBODY,
    "services:restriction_end": NOBODY,
    "services:service_create": _r("admin", "other_admin"),
    "services:service_edit": NOBODY,
    "services:sign": NOBODY,
    "services:sign_batch": _r("head", "plh"),
    "services:sign_batch_detail": NOBODY,
    "services:sign_reject": NOBODY,
    "services:sign_return": NOBODY,
    "services:signing_preview": NOBODY,
    "services:signing_queue": _r("head", "plh"),
    "set_language": NOBODY,
    "survey:answer": NOBODY,
    "survey:report": _r("admin", "head", "other_admin", "plh"),
    "switch_government": NOBODY,
    "token_list": _r("admin", "other_admin"),
    "token_revoke": NOBODY,
    "verify:document": NOBODY,
    "verify:index": ANY,
    "workday:permit_detail": NOBODY,
    "workday:permit_list": ALL_USERS,
    "workday:permit_request": _r("head", "plh", "staff"),
    "workday:recall_detail": NOBODY,
    "workday:recall_list": ALL_USERS,
    "workday:report_detail": NOBODY,
    "workday:report_line_delete": NOBODY,
    "workday:report_recap": _r("admin", "head", "other_admin", "plh"),
    "workday:report_submit": NOBODY,
    "workday:report_today": _r("head", "plh", "staff"),
}


def _client_for(role: str, world: dict[str, Any]) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def _request(client: Client, route: Route, role: str, world: dict[str, Any]) -> Any:
    if route.api:
        headers = {} if role == "anonymous" else {"Authorization": f"Bearer {world['tokens'][role]}"}
        if route.method == "GET":
            return client.get(route.path, headers=headers)
        return client.generic(route.method, route.path, data="{}", content_type="application/json", headers=headers)
    response = client.get(route.path)
    if response.status_code == 405:
        response = client.post(route.path, {})
    return response


@pytest.fixture
def world(org: dict[str, Any], other_government: Any, make_user: Any, make_employee: Any) -> dict[str, Any]:
    return build_world(org, other_government, make_user, make_employee)


def walk(world: dict[str, Any]) -> dict[str, dict[str, int]]:
    """route name → role → status code."""
    observed: dict[str, dict[str, int]] = defaultdict(dict)
    clients = {role: _client_for(role, world) for role in ROLES}
    api_client = Client(raise_request_exception=False)
    for route in page_routes(world) + api_routes(world):
        for role in ROLES:
            client = api_client if route.api else clients[role]
            observed[route.name][role] = _request(client, route, role, world).status_code
            if not route.api and role != "anonymous" and "_auth_user_id" not in client.session:
                clients[role] = _client_for(role, world)  # the walk POSTed to log-out: log in again
    return observed


def test_every_route_answers_only_the_intended_roles(world: dict[str, Any]) -> None:
    observed = walk(world)
    problems = matrix_problems(observed, MATRIX, "MATRIX")
    if stale := sorted(set(MATRIX) - set(observed)):
        problems.append(f"matrix entries for routes that no longer exist: {stale}")
    assert not problems, "\n".join(problems)


# ---- routes naming real objects of the own government ------------------------------------------------------
# tests/security/test_tenants.py requests the routes of walk.OBJECT_PAGES and walk.OBJECT_API with real
# objects of a seeded government (world.objects_of) as each of its roles (world.TENANT_ACCOUNTS), by GET
# (pages) or by their own method with an empty body (API): the roles below succeed, every other one is
# refused. The same roles get 404, never the object, when the route names another government's object.
# The acting routes that only accept POST answer 405 to the walk's GET, and the API operations that need a
# body answer 422 to an empty one, for every role: their entry is NOBODY (the actions themselves are tested
# in their apps). Successful actions in the walk (lifting a measure, closing a cluster, ...) are rolled back
# with the test's transaction.
TENANT_ROLES = ("anonymous", "admin", "health", "officer", "head", "plh", "staff", "courier", "citizen", "leader")
TENANT_ANY = frozenset(TENANT_ROLES)


def _t(*roles: str) -> frozenset[str]:
    unknown = set(roles) - set(TENANT_ROLES)
    assert not unknown, unknown
    return frozenset(roles)


OBJECT_MATRIX: dict[str, frozenset[str]] = {
    "api.siaga_delivery_api_appointment_book": NOBODY,
    "api.siaga_delivery_api_appointment_cancel": NOBODY,
    "api.siaga_delivery_api_appointment_slots": NOBODY,
    "api.siaga_delivery_api_order_delivered": NOBODY,
    "api.siaga_delivery_api_order_depart": _t("courier"),
    "api.siaga_delivery_api_order_detail": _t("admin", "courier", "head"),
    "api.siaga_delivery_api_order_failed": NOBODY,
    "api.siaga_delivery_api_order_reschedule": NOBODY,
    "api.siaga_measures_api_disinfection_complete": NOBODY,
    "api.siaga_measures_api_measure_lift": _t("admin"),
    "api.siaga_meetings_api_event_cancel": NOBODY,
    "api.siaga_meetings_api_event_detail": _t("admin", "courier", "head", "health", "officer", "plh", "staff"),
    "api.siaga_meetings_api_event_reschedule": NOBODY,
    "api.siaga_meetings_api_meeting_attendance": NOBODY,
    "api.siaga_meetings_api_meeting_cancel": _t("admin"),
    "api.siaga_meetings_api_meeting_decision": NOBODY,
    "api.siaga_meetings_api_meeting_detail": _t("admin", "officer", "plh"),
    "api.siaga_meetings_api_meeting_reschedule": NOBODY,
    "api.siaga_outbreak_api_case_classify": NOBODY,
    # the task force; and the person, when the walk's case is their own (test_tenants adds "staff" then;
    # on the web the person sees it under "Kasus saya", so outbreak:case_detail is the task force's alone)
    "api.siaga_outbreak_api_case_detail": _t("health"),
    "api.siaga_outbreak_api_case_proposals": _t("health"),
    "api.siaga_outbreak_api_clusters_case_graph": _t("health"),
    "api.siaga_outbreak_api_clusters_cluster_add": NOBODY,
    "api.siaga_outbreak_api_clusters_cluster_close": _t("health"),
    "api.siaga_outbreak_api_clusters_cluster_detail": _t("health"),
    "api.siaga_outbreak_api_clusters_cluster_graph": _t("health"),
    "api.siaga_outbreak_api_clusters_cluster_remove": _t("health"),
    "api.siaga_outbreak_api_clusters_finding_start": _t("health"),
    "api.siaga_outbreak_api_contact_add": NOBODY,
    "api.siaga_outbreak_api_contact_decide": NOBODY,
    "api.siaga_outbreak_api_contact_list": _t("health"),
    "api.siaga_outbreak_api_contact_trace": _t("health"),
    "api.siaga_outbreak_api_followup_followup_table": _t("health"),
    "api.siaga_outbreak_api_followup_second_generation": NOBODY,
    "api.siaga_outbreak_api_lab_result_add": NOBODY,
    "api.siaga_outbreak_api_lab_result_list": _t("health"),
    "api.siaga_outbreak_api_order_end": _t("health"),
    "api.siaga_outbreak_api_order_issue": NOBODY,
    "api.siaga_outbreak_api_order_list": _t("health"),
    "api.siaga_services_api_office_application_assign": NOBODY,
    "api.siaga_services_api_office_application_detail": _t("admin", "officer", "plh"),
    "api.siaga_services_api_office_application_move": NOBODY,
    "api.siaga_services_api_office_application_take": NOBODY,
    "api.siaga_services_api_portal_application_detail": _t("citizen"),
    "api.siaga_survey_api_survey_answer": NOBODY,
    "delivery:appointment": NOBODY,
    "delivery:appointment_mark": NOBODY,
    "delivery:order": _t("admin", "courier", "head"),
    "delivery:order_create": NOBODY,
    "delivery:order_delivered": NOBODY,
    "delivery:order_depart": NOBODY,
    "delivery:order_failed": NOBODY,
    "delivery:order_photo": NOBODY,
    "delivery:order_reschedule": NOBODY,
    "delivery:slot": _t("admin", "head"),
    "measures:disinfection_cancel": NOBODY,
    "measures:disinfection_complete": NOBODY,
    "measures:disinfection_detail": _t("admin", "health"),
    "measures:disinfection_photo": _t("admin", "health"),
    "measures:measure_lift": NOBODY,
    "meetings:attend": NOBODY,
    "meetings:cancel": NOBODY,
    "meetings:decide": NOBODY,
    "meetings:detail": _t("admin", "officer", "plh"),
    "meetings:event_detail": _t("admin", "courier", "head", "health", "officer", "plh", "staff"),
    "meetings:event_reschedule": NOBODY,
    "meetings:move": NOBODY,
    "outbreak:case_classify": NOBODY,
    "outbreak:case_dates": NOBODY,
    "outbreak:case_detail": _t("health"),
    "outbreak:case_graph": _t("health"),
    "outbreak:cluster_close": NOBODY,
    "outbreak:cluster_detail": _t("health"),
    "outbreak:cluster_member_add": NOBODY,
    "outbreak:cluster_member_remove": NOBODY,
    "outbreak:contact_add": NOBODY,
    "outbreak:contact_decide": NOBODY,
    "outbreak:contact_trace": NOBODY,
    "outbreak:finding_start": NOBODY,
    "outbreak:lab_result_add": NOBODY,
    "outbreak:order_end": NOBODY,
    "outbreak:order_issue": NOBODY,
    "outbreak:reclassify_symptomatic": NOBODY,
    "outbreak:second_generation": NOBODY,
    "portal:application": _t("citizen"),
    "portal:attachment": _t("admin", "citizen", "officer", "plh"),
    "portal:resubmit": _t("citizen"),
    "portal:withdraw": _t("citizen"),
    "services:application": _t("admin", "officer", "plh"),
    "services:application_assign": NOBODY,
    "services:application_move": NOBODY,
    "services:application_take": NOBODY,
    "services:attachment": _t("admin", "officer", "plh"),
    "services:document_download": _t("admin", "officer", "plh"),
    "services:sign": NOBODY,
    "services:sign_reject": NOBODY,
    "services:sign_return": NOBODY,
    "services:signing_preview": _t("plh"),
    "survey:answer": _t("citizen"),
    "verify:document": TENANT_ANY,
}
