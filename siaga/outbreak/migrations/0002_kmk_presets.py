"""National rule-set presets: KMK 413/2020 (the default) and the 2021 rules with a 10-day quarantine
and a day-5 test."""

from django.db import migrations

from siaga.outbreak.presets import PRESETS, load_presets



def load(apps, schema_editor):
    load_presets(apps.get_model("outbreak", "RuleSet"))


def unload(apps, schema_editor):
    RuleSet = apps.get_model("outbreak", "RuleSet")
    RuleSet.objects.filter(government=None, code__in=[p["code"] for p in PRESETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("outbreak", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
