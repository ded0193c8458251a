from django.urls import path

from siaga.delivery import views, views_appointments

app_name = "delivery"

urlpatterns = [
    path("", views.office_day, name="office_day"),
    path("hari-ini/", views.courier_today, name="today"),
    path("new/<str:reference>/", views.order_create, name="order_create"),
    path("<int:pk>/", views.order_detail, name="order"),
    path("<int:pk>/reschedule/", views.order_reschedule, name="order_reschedule"),
    path("<int:pk>/depart/", views.order_depart, name="order_depart"),
    path("<int:pk>/delivered/", views.order_delivered, name="order_delivered"),
    path("<int:pk>/failed/", views.order_failed, name="order_failed"),
    path("<int:pk>/photo/", views.order_photo, name="order_photo"),
    *views_appointments.urlpatterns,
]
