from django.urls import path

from siaga.outbreak import views, views_dashboard, views_followup

app_name = "outbreak"

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/classify/", views.case_classify, name="case_classify"),
    path("cases/<int:pk>/dates/", views.case_dates, name="case_dates"),
    path("cases/<int:pk>/lab/", views.lab_result_add, name="lab_result_add"),
    path("cases/<int:pk>/orders/", views.order_issue, name="order_issue"),
    path("cases/<int:pk>/orders/<int:order_pk>/end/", views.order_end, name="order_end"),
    path("cases/<int:pk>/contacts/", views.contact_add, name="contact_add"),
    path("cases/<int:pk>/contacts/trace/", views.contact_trace, name="contact_trace"),
    path("cases/<int:pk>/contacts/<int:contact_pk>/decision/", views.contact_decide, name="contact_decide"),
    path("mine/", views.my_cases, name="my_cases"),
    path("rules/", views.rule_sets, name="rule_sets"),
    # daily follow-up, self-reported contacts, contacts of contacts
    path("mine/daily/", views_followup.daily_check, name="daily_check"),
    path("mine/contacts/", views_followup.self_contacts, name="self_contacts"),
    path("follow-up/missing/", views_followup.missing_today, name="followup_missing"),
    path("cases/<int:pk>/contacts/second-generation/", views_followup.second_generation, name="second_generation"),
    path(
        "cases/<int:pk>/reclassify-symptomatic/", views_followup.reclassify_symptomatic, name="reclassify_symptomatic"
    ),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard/export/<slug:kind>.<slug:fmt>", views_dashboard.export, name="export"),
]

from siaga.outbreak.urls_clusters import urlpatterns as cluster_urlpatterns  # noqa: E402

urlpatterns += cluster_urlpatterns
