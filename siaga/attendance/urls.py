from django.urls import path

from siaga.attendance import views

app_name = "attendance"

urlpatterns = [
    path("", views.home, name="home"),
    path("check-in/", views.check_in, name="check_in"),
    path("check-ins/<int:pk>/check-out/", views.check_out, name="check_out"),
    path("recap/", views.my_recap, name="my_recap"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_today, name="unit_today"),
    path("units/<int:pk>/exceptions/", views.exception_grant, name="exception_grant"),
    path("units/<int:pk>/recap/", views.unit_recap, name="unit_recap"),
    path("presence/", views.presence, name="presence"),
    path("rooms/", views.room_list, name="room_list"),
    path("rooms/<int:pk>/poster/", views.room_poster, name="room_poster"),
    path("r/<int:pk>/", views.room_scan, name="room_scan"),
]
