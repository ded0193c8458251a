from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdayConfig(AppConfig):
    name = "siaga.workday"
    label = "workday"
    verbose_name = _("Workday")
