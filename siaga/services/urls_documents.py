"""Back office: signing and issued documents."""

from django.urls import path

from siaga.services import views_documents

urlpatterns = [
    path("tanda-tangan/", views_documents.signing_queue, name="signing_queue"),
    path("tanda-tangan/batch/", views_documents.sign_batch, name="sign_batch"),
    path("tanda-tangan/batch/<int:pk>/", views_documents.sign_batch_detail, name="sign_batch_detail"),
    path("tanda-tangan/<int:pk>/draf/", views_documents.signing_preview, name="signing_preview"),
    path("tanda-tangan/<int:pk>/tandatangani/", views_documents.sign, name="sign"),
    path("tanda-tangan/<int:pk>/kembalikan/", views_documents.decide, {"decision": "return"}, name="sign_return"),
    path("tanda-tangan/<int:pk>/tolak/", views_documents.decide, {"decision": "reject"}, name="sign_reject"),
    path("documents/<str:token>/download/", views_documents.document_download, name="document_download"),
]
