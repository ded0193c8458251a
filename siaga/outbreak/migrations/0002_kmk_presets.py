"""National rule-set presets: KMK 413/2020 (the default) and the 2021 rules with a 10-day quarantine
and a day-5 test."""

import datetime as dt

from django.db import migrations

PRESETS = [
    {
        "code": "kmk-413-2020",
        "name": "KMK 413/2020",
        "legal_basis": "KMK HK.01.07/MENKES/413/2020, Pedoman Pencegahan dan Pengendalian COVID-19 rev. 5",
        "effective_from": dt.date(2020, 7, 13),
        "is_default": True,
        "isolation_days_asymptomatic": 10,
        "isolation_days_symptomatic": 10,
        "symptom_free_days": 3,
        "quarantine_days": 14,
        "quarantine_test_day": None,
        "discard_negative_pcrs": 2,
        "discard_hours_apart": 24,
    },
    {
        "code": "kmk-4641-2021",
        "name": "KMK 4641/2021 (karantina 10 hari, tes hari ke-5)",
        "legal_basis": "KMK HK.01.07/MENKES/4641/2021; SE HK.02.01/MENKES/1391/2021",
        "effective_from": dt.date(2021, 6, 1),
        "is_default": False,
        "isolation_days_asymptomatic": 10,
        "isolation_days_symptomatic": 10,
        "symptom_free_days": 3,
        "quarantine_days": 10,
        "quarantine_test_day": 5,
        "discard_negative_pcrs": 2,
        "discard_hours_apart": 24,
    },
]


def load(apps, schema_editor):
    RuleSet = apps.get_model("outbreak", "RuleSet")
    for preset in PRESETS:
        RuleSet.objects.update_or_create(government=None, code=preset["code"], defaults=preset)


def unload(apps, schema_editor):
    RuleSet = apps.get_model("outbreak", "RuleSet")
    RuleSet.objects.filter(government=None, code__in=[p["code"] for p in PRESETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("outbreak", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
