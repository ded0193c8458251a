from django.urls import path

from siaga.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("rooms/", views.room_options, name="room_options"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/decide/", views.meeting_decide, name="decide"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/move/", views.meeting_move, name="move"),
    path("<int:pk>/attend/", views.meeting_attend, name="attend"),
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/reschedule/", views.event_reschedule, name="event_reschedule"),
]
