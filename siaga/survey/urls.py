from django.urls import path

from siaga.survey import views

app_name = "survey"

urlpatterns = [
    path("", views.report, name="report"),
    path("isi/<str:reference>/", views.answer, name="answer"),
]
