from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutbreakConfig(AppConfig):
    name = "siaga.outbreak"
    label = "outbreak"
    verbose_name = _("Outbreak response")
