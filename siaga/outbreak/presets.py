"""The national rule-set presets: KMK 413/2020 (the default) and the 2021 rules with a 10-day quarantine
and a day-5 test. Loaded by a data migration, and again whenever they are missing (a flushed database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

PRESETS: list[dict[str, Any]] = [
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


def load_presets(rule_set_model: Any) -> None:
    """Create or update the presets (idempotent); takes the model so that migrations can pass theirs."""
    for preset in PRESETS:
        rule_set_model.objects.update_or_create(government=None, code=preset["code"], defaults=preset)
