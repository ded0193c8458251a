from django.urls import path  # noqa: F401

from siaga.attendance import views  # noqa: F401

app_name = "attendance"

urlpatterns: list = []
