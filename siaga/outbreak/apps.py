from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _dashboard_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    from siaga.outbreak.dashboard import changed

    changed(getattr(instance, "government_id", None))


class OutbreakConfig(AppConfig):
    name = "siaga.outbreak"
    label = "outbreak"
    verbose_name = _("Outbreak response")

    def ready(self) -> None:
        # what the task force's dashboard shows: the outbreak's rows, the organisation's (names, units,
        # buildings) and the building measures; siaga.outbreak.dashboard.counted
        shown = [self, apps.get_app_config("org"), apps.get_app_config("measures")]
        for model in [m for config in shown for m in config.get_models()]:
            post_save.connect(_dashboard_changed, sender=model, dispatch_uid=f"outbreak-dashboard-{model._meta.label}")
            post_delete.connect(
                _dashboard_changed, sender=model, dispatch_uid=f"outbreak-dashboard-{model._meta.label}"
            )
