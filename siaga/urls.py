"""URL configuration."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from siaga.api.urls import api
from siaga.core import views as core_views

handler403 = "siaga.core.views.permission_denied"
handler404 = "siaga.core.views.page_not_found"

urlpatterns = [
    path("", include("siaga.core.urls")),
    path("org/", include("siaga.org.urls")),
    path("roster/", include("siaga.rostering.urls")),
    path("attendance/", include("siaga.attendance.urls")),
    path("workday/", include("siaga.workday.urls")),
    path("meetings/", include("siaga.meetings.urls")),
    path("outbreak/", include("siaga.outbreak.urls")),
    path("measures/", include("siaga.measures.urls")),
    path("services/", include("siaga.services.urls")),
    path("layanan/", include("siaga.services.urls_portal")),
    path("verifikasi/", include("siaga.services.urls_verify")),
    path("pengantaran/", include("siaga.delivery.urls")),
    path("skm/", include("siaga.survey.urls")),
    path("command/", include("siaga.command.urls")),
    path("api/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/login/", core_views.LoginView.as_view()),
    path("admin/", admin.site.urls),
]
