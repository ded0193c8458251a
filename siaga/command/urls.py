from django.urls import path

from siaga.command import views

app_name = "command"

urlpatterns = [
    path("", views.index, name="index"),
    path("unit/<str:code>/", views.unit, name="unit"),
    path("report.pdf", views.report, name="report"),
    path("subscription/", views.subscription, name="subscription"),
]
