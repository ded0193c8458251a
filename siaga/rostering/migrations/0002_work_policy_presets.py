"""Load the national work-arrangement presets (KemenPAN-RB circulars, see docs/policies.md).

The numbers live here, as data, and in the database; governments copy a preset and edit the copy.
"""

import datetime as dt

from django.db import migrations

ONE_DAY_SHIFT = [{"id": "hari", "start": "07:30", "end": "16:00"}]


def _rows(level_caps, sector="*", region="*"):
    return [{"level": level, "sector": sector, "region": region, "cap": cap} for level, cap in level_caps.items()]


def _ppkm_rows():
    levels = ("1", "2", "3", "4")
    return [
        # Non-essential offices, Java–Bali: 100/75/50/25. DOMAIN.md gives no separate figures outside
        # Java–Bali, so the same row applies there (region "*"); a government may edit its copy.
        *_rows(dict(zip(levels, (1.0, 0.75, 0.5, 0.25), strict=True)), "non_essential"),
        *_rows(dict(zip(levels, (1.0, 0.75, 0.5, 0.5), strict=True)), "essential", "java_bali"),
        *_rows(dict(zip(levels, (1.0, 1.0, 1.0, 0.5), strict=True)), "essential", "outside_java_bali"),
        {"level": "*", "sector": "critical", "region": "*", "cap": 1.0},
    ]


PRESETS = [
    {
        "code": "se-menpanrb-19-2020",
        "name": "SE MenPAN-RB 19/2020: work from home, leaders on site",
        "legal_basis": (
            "Surat Edaran Menteri PANRB Nomor 19 Tahun 2020 (16 March 2020): the staffing official decides who "
            "works from home by job, local COVID map, residence, own and family health, travel and contact; at "
            "least the two highest structural levels stay in the office."
        ),
        "effective_from": dt.date(2020, 3, 16),
        "effective_until": dt.date(2020, 6, 4),
        "shifts": ONE_DAY_SHIFT,
        "top_levels_on_site": True,
        "cap_basis": "none",
        "cap_rows": [],
        "comorbidity_wfh": True,
        "comorbidity_rule_basis": "SE MenPAN-RB 19/2020 (own health)",
    },
    {
        "code": "se-menpanrb-58-2020",
        "name": "SE MenPAN-RB 58/2020: mixed office and home work",
        "legal_basis": (
            "Surat Edaran Menteri PANRB Nomor 58 Tahun 2020 (5 June 2020): mixed WFO/WFH; work-from-home "
            "criteria include health and comorbidity; strategic sectors keep minimum staff on site."
        ),
        "effective_from": dt.date(2020, 6, 5),
        "effective_until": None,
        "shifts": ONE_DAY_SHIFT,
        "top_levels_on_site": False,
        "cap_basis": "none",
        "cap_rows": [],
        "comorbidity_wfh": True,
        "comorbidity_rule_basis": "SE MenPAN-RB 58/2020",
    },
    {
        "code": "se-menpanrb-65-2020",
        "name": "SE MenPAN-RB 65/2020: Jabodetabek, 50% in two shifts",
        "legal_basis": (
            "Surat Edaran Menteri PANRB Nomor 65 Tahun 2020 (13 July 2020), Jabodetabek: at most 50% of staff "
            "in the office, in two shifts of about 50:50 at least 3 hours apart."
        ),
        "effective_from": dt.date(2020, 7, 13),
        "effective_until": None,
        "shifts": [{"id": "pagi", "start": "07:30", "end": "11:30"}, {"id": "siang", "start": "14:30", "end": "18:00"}],
        "min_shift_gap_minutes": 180,
        "top_levels_on_site": False,
        "cap_basis": "flat",
        "cap_rows": [{"level": "*", "sector": "*", "region": "*", "cap": 0.5}],
    },
    {
        "code": "se-menpanrb-67-2020",
        "name": "SE MenPAN-RB 67/2020: caps by risk zone",
        "legal_basis": (
            "Surat Edaran Menteri PANRB Nomor 67 Tahun 2020 (4 September 2020): office presence per unit by the "
            "task force's risk zone: no cases 100%, low 75%, medium 50%, high 25%."
        ),
        "effective_from": dt.date(2020, 9, 4),
        "effective_until": None,
        "shifts": ONE_DAY_SHIFT,
        "top_levels_on_site": False,
        "cap_basis": "zone",
        "cap_rows": _rows({"no_cases": 1.0, "low": 0.75, "medium": 0.5, "high": 0.25}),
    },
    {
        "code": "se-menpanrb-23-2021",
        "name": "SE MenPAN-RB 23/2021: caps by PPKM level",
        "legal_basis": (
            "Surat Edaran Menteri PANRB Nomor 23 Tahun 2021 (PPKM levels 1-4): non-essential offices in "
            "Java-Bali 100/75/50/25%; essential 100/75/50/50% (outside Java-Bali 100/100/100/50%); critical "
            "sector 100%."
        ),
        # DOMAIN.md names the year only; 1 January is a placeholder to check against the circular.
        "effective_from": dt.date(2021, 1, 1),
        "effective_until": None,
        "shifts": ONE_DAY_SHIFT,
        "top_levels_on_site": False,
        "cap_basis": "ppkm",
        "cap_rows": _ppkm_rows(),
    },
    {
        "code": "se-menpanrb-06-2022",
        "name": "SE MenPAN-RB 06/2022: caps by PPKM level",
        "legal_basis": (
            "Surat Edaran Menteri PANRB Nomor 06 Tahun 2022 (PPKM levels 1-4): non-essential offices in "
            "Java-Bali 100/75/50/25%; essential 100/75/50/50% (outside Java-Bali 100/100/100/50%); critical "
            "sector 100%."
        ),
        "effective_from": dt.date(2022, 1, 1),
        "effective_until": None,
        "shifts": ONE_DAY_SHIFT,
        "top_levels_on_site": False,
        "cap_basis": "ppkm",
        "cap_rows": _ppkm_rows(),
    },
]


def load_presets(apps, schema_editor):
    WorkPolicy = apps.get_model("rostering", "WorkPolicy")
    for preset in PRESETS:
        values = dict(preset)
        code = values.pop("code")
        WorkPolicy.objects.update_or_create(government=None, code=code, defaults=values)


def unload_presets(apps, schema_editor):
    WorkPolicy = apps.get_model("rostering", "WorkPolicy")
    WorkPolicy.objects.filter(government=None, code__in=[p["code"] for p in PRESETS], selections=None).delete()


class Migration(migrations.Migration):
    dependencies = [("rostering", "0001_initial")]

    operations = [migrations.RunPython(load_presets, unload_presets)]
