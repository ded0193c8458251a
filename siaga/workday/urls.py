from django.urls import path  # noqa: F401

from siaga.workday import views  # noqa: F401

app_name = "workday"

urlpatterns: list = []
