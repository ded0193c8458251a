from django.urls import path

from siaga.workday import views

app_name = "workday"

urlpatterns = [
    path("reports/", views.report_today, name="report_today"),
    path("reports/recap/", views.report_recap, name="report_recap"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/lines/<int:pk>/delete/", views.report_line_delete, name="report_line_delete"),
    path("travel/", views.permit_list, name="permit_list"),
    path("travel/new/", views.permit_request, name="permit_request"),
    path("travel/<int:pk>/", views.permit_detail, name="permit_detail"),
    path("recalls/", views.recall_list, name="recall_list"),
    path("recalls/<int:pk>/", views.recall_detail, name="recall_detail"),
]
