"""Public verification of issued documents (mounted at ``verifikasi/``)."""

from django.urls import path

from siaga.services import views_verify

app_name = "verify"

urlpatterns = [
    path("", views_verify.index, name="index"),
    path("<str:token>/", views_verify.document, name="document"),
]
