"""Pages of clusters, source finding and transmission graphs (included by ``siaga.outbreak.urls``)."""

from django.urls import path

from siaga.outbreak import views_clusters as views

urlpatterns = [
    path("clusters/", views.cluster_list, name="cluster_list"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster_detail"),
    path("clusters/<int:pk>/cases/", views.cluster_member_add, name="cluster_member_add"),
    path("clusters/<int:pk>/cases/<int:case_pk>/remove/", views.cluster_member_remove, name="cluster_member_remove"),
    path("clusters/<int:pk>/close/", views.cluster_close, name="cluster_close"),
    path("clusters/<int:pk>/findings/", views.finding_start, name="finding_start"),
    path("clusters/<int:pk>/findings/<int:finding_pk>/", views.finding_progress, name="finding_progress"),
    path("clusters/<int:pk>/findings/<int:finding_pk>/verdict/", views.finding_verdict, name="finding_verdict"),
    path("cases/<int:pk>/graph/", views.case_graph, name="case_graph"),
]
