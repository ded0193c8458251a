"""The citizens' service portal (mounted at ``layanan/``)."""

from django.urls import path

from siaga.services import views_portal

app_name = "portal"

urlpatterns = [
    path("permohonan/<str:reference>/", views_portal.application_detail, name="application"),
]
