from django.urls import path

from siaga.rostering import views

app_name = "rostering"

urlpatterns = [
    path("", views.home, name="home"),
    path("presets/<int:pk>/adopt/", views.preset_adopt, name="preset_adopt"),
    path("policies/<int:pk>/", views.policy_edit, name="policy_edit"),
    path("situation/", views.situation_create, name="situation_create"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("coverage/<int:pk>/delete/", views.coverage_rule_delete, name="coverage_rule_delete"),
    path("problem.json", views.problem_json, name="problem_json"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/units/<str:code>/", views.plan_unit, name="plan_unit"),
    path("plans/<int:pk>/cancel/", views.plan_cancel, name="plan_cancel"),
    path("plans/<int:pk>/publish/", views.plan_publish, name="plan_publish"),
    path("me/", views.my_schedule, name="my_schedule"),
    path("leave/", views.leave_list, name="leave_list"),
    path("leave/new/", views.leave_request, name="leave_request"),
    path("leave/<int:pk>/decide/", views.leave_decide, name="leave_decide"),
]

urlpatterns += [
    path("me/calendar/", views.my_calendar, name="my_calendar"),
    path("feed/<str:secret>.ics", views.calendar_feed, name="calendar_feed"),
    path("plans/<int:pk>/units/<str:code>.xlsx", views.plan_unit_xlsx, name="plan_unit_xlsx"),
    path("plans/<int:pk>/units/<str:code>.pdf", views.plan_unit_pdf, name="plan_unit_pdf"),
]

urlpatterns += [
    path(
        "plans/<int:pk>/units/<str:code>/days/<int:assignment_pk>/",
        views.plan_assignment_override,
        name="plan_assignment_override",
    ),
    path("plans/<int:pk>/changes/", views.plan_changes, name="plan_changes"),
]
