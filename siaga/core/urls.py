from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from siaga.core import health, metrics, views
from siaga.core.forms import NotifyingPasswordResetForm

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("government/", views.switch_government, name="switch_government"),
    path("inbox/", views.notification_list, name="notification_list"),
    path("inbox/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("inbox/read-all/", views.notification_read_all, name="notification_read_all"),
    path("audit/", views.audit_list, name="audit_list"),
    path("outbox/", views.outbox_list, name="outbox_list"),
    path("outbox/<int:pk>/resend/", views.outbox_resend, name="outbox_resend"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/<int:pk>/delete/", views.calendar_override_delete, name="calendar_override_delete"),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
]

urlpatterns += [
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=NotifyingPasswordResetForm,
            template_name="core/password_reset.html",
            success_url=reverse_lazy("password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="core/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/set/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="core/password_set.html", success_url=reverse_lazy("password_set_done")
        ),
        name="password_set",
    ),
    path(
        "password/set/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="core/password_set_done.html"),
        name="password_set_done",
    ),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="core/password_change.html", success_url=reverse_lazy("home")
        ),
        name="password_change",
    ),
]
