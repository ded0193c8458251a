"""Back office: signing and issued documents."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
