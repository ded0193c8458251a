from django.urls import path

from siaga.measures import views

app_name = "measures"

urlpatterns = [
    path("", views.measure_list, name="measure_list"),
    path("new/", views.measure_create, name="measure_create"),
    path("<int:pk>/lift/", views.measure_lift, name="measure_lift"),
    path("disinfections/", views.disinfection_list, name="disinfection_list"),
    path("disinfections/overdue/", views.disinfection_overdue, name="disinfection_overdue"),
    path("disinfections/new/", views.disinfection_create, name="disinfection_create"),
    path("disinfections/<int:pk>/", views.disinfection_detail, name="disinfection_detail"),
    path("disinfections/<int:pk>/complete/", views.disinfection_complete, name="disinfection_complete"),
    path("disinfections/<int:pk>/cancel/", views.disinfection_cancel, name="disinfection_cancel"),
    path("disinfections/<int:pk>/photo/", views.disinfection_photo, name="disinfection_photo"),
]
