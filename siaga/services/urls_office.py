"""Back office: work queues, applications, catalogue."""

from django.urls import path

from siaga.services import views_catalogue, views_office

urlpatterns = [
    path("", views_office.queue, name="queue"),
    path("permohonan/<int:pk>/", views_office.application_detail, name="application"),
    path("permohonan/<int:pk>/ambil/", views_office.application_take, name="application_take"),
    path("permohonan/<int:pk>/tugaskan/", views_office.application_assign, name="application_assign"),
    path("permohonan/<int:pk>/proses/", views_office.application_move, name="application_move"),
    path("lampiran/<int:pk>/", views_office.attachment_download, name="attachment"),
    path("katalog/", views_catalogue.catalogue_list, name="catalogue"),
    path("katalog/baru/", views_catalogue.service_create, name="service_create"),
    path("katalog/<int:pk>/", views_catalogue.service_edit, name="service_edit"),
    path("katalog/pembatasan/", views_catalogue.restriction_create, name="restriction_create"),
    path("katalog/pembatasan/<int:pk>/akhiri/", views_catalogue.restriction_end, name="restriction_end"),
]
