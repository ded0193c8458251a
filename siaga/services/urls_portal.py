"""The citizens' service portal (mounted at ``layanan/``)."""

from django.urls import path

from siaga.services import views_portal

app_name = "portal"

urlpatterns = [
    path("", views_portal.index, name="index"),
    path("permohonan/", views_portal.my_applications, name="my_applications"),
    path("permohonan/<str:reference>/", views_portal.application_detail, name="application"),
    path("permohonan/<str:reference>/lengkapi/", views_portal.application_resubmit, name="resubmit"),
    path("permohonan/<str:reference>/batalkan/", views_portal.application_withdraw, name="withdraw"),
    path("berkas/<int:pk>/", views_portal.attachment_download, name="attachment"),
    path("<str:code>/", views_portal.catalogue, name="catalogue"),
    path("<str:code>/daftar/", views_portal.register, name="register"),
    path("<str:code>/daftar/kode/", views_portal.register_confirm, name="register_confirm"),
    path("<str:code>/kode/<str:purpose>/kirim-ulang/", views_portal.code_resend, name="code_resend"),
    path("<str:code>/masuk-kode/", views_portal.code_login, name="code_login"),
    path("<str:code>/masuk-kode/kode/", views_portal.code_login_confirm, name="code_login_confirm"),
    path("<str:code>/<slug:service>/", views_portal.service_detail, name="service"),
    path("<str:code>/<slug:service>/ajukan/", views_portal.apply, name="apply"),
]
