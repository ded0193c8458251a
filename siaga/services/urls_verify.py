"""Public verification of issued documents (mounted at ``verifikasi/``)."""

from django.urls import URLPattern

app_name = "verify"

urlpatterns: list[URLPattern] = []
