"""Back office: work queues, applications, catalogue."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
