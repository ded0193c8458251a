"""Writes of clusters and source finding.

The task force names a cluster, adds and removes its cases and closes it; source finding runs the tracing
engine (``rank_places`` at room, floor and building level, and the space-time scan) on the stored presence
of the cluster's exposure period and stores the result; the task force confirms or rejects a candidate
source. Every write is validated first, then made atomically and audit-logged.

The exposure period is the engine's (outbreak-trace-v1, "Sources"): from 14 days before the earliest case
date to 2 days before the latest, in local days, where a case's date is its specimen date when it is
confirmed without symptoms and its onset date otherwise. Everyone present on a known floor of the
government's buildings in that period is the population; presence known only to the building is left out.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from siaga.core.access import Actor, Perm
from siaga.core.services import audit_record
from siaga.outbreak import dashboard
from siaga.outbreak.models import (
    Case,
    Classification,
    Cluster,
    ClusterMember,
    SourceFinding,
    SourceVerdict,
)

logger = logging.getLogger(__name__)

LEVELS = ("room", "floor", "building")
SIGNIFICANCE = 0.05  # Holm-adjusted p below this makes a place stand out
STORED_PLACES = 100  # ranked places kept per level
#: registry classifications as the engine's, for index cases
ENGINE_CLASSES: dict[str, str] = {
    Classification.PROBABLE: "probable",
    Classification.CONFIRMED_SYMPTOMATIC: "konfirmasi-simptomatik",
    Classification.CONFIRMED_ASYMPTOMATIC: "konfirmasi-asimptomatik",
}
#: classifications of cases that were (or are) probable or confirmed: a cluster's cases
CLUSTER_CLASSES = frozenset({*ENGINE_CLASSES, Classification.ISOLATION_FINISHED, Classification.DIED})


def _require_task_force(actor: Actor) -> None:
    if not actor.is_authenticated or not actor.has_perm(Perm.VIEW_HEALTH):
        raise PermissionDenied(Perm.VIEW_HEALTH)


def _same_government(actor: Actor, obj: Any) -> None:
    if obj.government_id != actor.government_id:
        raise PermissionDenied("government")


def _open(cluster: Cluster) -> None:
    if cluster.status != Cluster.Status.ACTIVE:
        raise ValidationError({"cluster": _("This cluster is closed; reopen is not possible, create a new one.")})


def _other_active_cluster(case: Case, *, but: Cluster | None = None) -> Cluster | None:
    memberships = ClusterMember.objects.filter(
        case=case, removed_at__isnull=True, cluster__status=Cluster.Status.ACTIVE
    ).select_related("cluster")
    if but is not None:
        memberships = memberships.exclude(cluster=but)
    member = memberships.first()
    return member.cluster if member else None


def _check_case(actor: Actor, case: Case, *, cluster: Cluster | None = None) -> str | None:
    """Why this case cannot join (a message), or None."""
    if case.government_id != actor.government_id:
        return _("Case #%(pk)s is not a case of your government.") % {"pk": case.pk}
    if case.classification not in CLUSTER_CLASSES:
        return _("Case #%(pk)s is not probable or confirmed; only such cases form clusters.") % {"pk": case.pk}
    other = _other_active_cluster(case, but=cluster)
    if other is not None:
        return _("Case #%(pk)s is already in the cluster “%(name)s”; remove it there first.") % {
            "pk": case.pk,
            "name": other.name,
        }
    return None


def _lock_and_recheck(actor: Actor, case_ids: list[int], *, cluster: Cluster | None = None) -> None:
    """Lock the cases' rows (in id order) and check again, inside the write's transaction, that no other
    active cluster took one of them meanwhile: two task-force members filing the same case into two
    clusters at once end with one membership."""
    locked = list(Case.objects.select_for_update().filter(pk__in=case_ids).order_by("pk"))
    problems = [m for m in (_check_case(actor, c, cluster=cluster) for c in locked) if m]
    if problems:
        raise ValidationError({"cases" if cluster is None else "case": problems})


# ---------------------------------------------------------------------------------------------------
# Clusters


def cluster_create(*, actor: Actor, name: str, cases: Sequence[Case], note: str = "") -> Cluster:
    """A named cluster of one or more probable or confirmed cases not in another active cluster."""
    _require_task_force(actor)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Enter a name for the cluster, e.g. “Klaster Menara Wijaya”.")]
    elif len(name) > 150:
        errors["name"] = [_("The name is too long: at most 150 characters.")]
    elif Cluster.objects.filter(government_id=actor.government_id, name__iexact=name).exists():
        errors["name"] = [_("A cluster with this name already exists; choose another name.")]
    unique = {c.pk: c for c in cases}
    if not unique:
        errors["cases"] = [_("Choose at least one case for the cluster.")]
    problems = [m for m in (_check_case(actor, c) for c in unique.values()) if m]
    if problems:
        errors["cases"] = problems
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        _lock_and_recheck(actor, list(unique))
        cluster = Cluster.objects.create(
            government_id=actor.government_id, name=name, note=note[:250], created_by=actor.user
        )
        for case in sorted(unique.values(), key=lambda c: c.pk):
            ClusterMember.objects.create(
                government_id=actor.government_id, cluster=cluster, case=case, added_at=now, added_by=actor.user
            )
        audit_record(
            actor=actor.user,
            government=actor.government_id,
            action="create",
            obj=cluster,
            object_repr=cluster.name,
            changes={"cases": [None, sorted(unique)]},
        )
    return cluster


def cluster_add_case(*, actor: Actor, cluster: Cluster, case: Case) -> ClusterMember:
    _require_task_force(actor)
    _same_government(actor, cluster)
    _open(cluster)
    problem = _check_case(actor, case, cluster=cluster)
    if problem is None and cluster.members.filter(case=case, removed_at__isnull=True).exists():
        problem = _("Case #%(pk)s is already in this cluster.") % {"pk": case.pk}
    if problem:
        raise ValidationError({"case": [problem]})
    with transaction.atomic():
        Cluster.objects.select_for_update().filter(pk=cluster.pk).first()
        _lock_and_recheck(actor, [case.pk], cluster=cluster)
        if cluster.members.filter(case=case, removed_at__isnull=True).exists():
            raise ValidationError({"case": [_("Case #%(pk)s is already in this cluster.") % {"pk": case.pk}]})
        member = ClusterMember.objects.create(
            government_id=cluster.government_id,
            cluster=cluster,
            case=case,
            added_at=timezone.now(),
            added_by=actor.user,
        )
        audit_record(
            actor=actor.user,
            government=cluster.government_id,
            action="update",
            obj=cluster,
            object_repr=cluster.name,
            changes={"added_case": [None, case.pk]},
        )
    return member


def cluster_remove_case(*, actor: Actor, cluster: Cluster, case: Case) -> ClusterMember:
    """Take a case out of a cluster (its membership row stays, marked removed)."""
    _require_task_force(actor)
    _same_government(actor, cluster)
    _open(cluster)
    with transaction.atomic():
        member = (
            ClusterMember.objects.select_for_update()
            .filter(cluster=cluster, case=case, removed_at__isnull=True)
            .first()
        )
        if member is None:
            raise ValidationError({"case": [_("Case #%(pk)s is not in this cluster.") % {"pk": case.pk}]})
        member.removed_at = timezone.now()
        member.removed_by = actor.user
        member.save(update_fields=["removed_at", "removed_by"])
        audit_record(
            actor=actor.user,
            government=cluster.government_id,
            action="update",
            obj=cluster,
            object_repr=cluster.name,
            changes={"removed_case": [case.pk, None]},
        )
    return member


def cluster_close(*, actor: Actor, cluster: Cluster) -> Cluster:
    _require_task_force(actor)
    _same_government(actor, cluster)
    _open(cluster)
    with transaction.atomic():
        locked = Cluster.objects.select_for_update().get(pk=cluster.pk)
        _open(locked)
        locked.status = Cluster.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.closed_by = actor.user
        locked.save(update_fields=["status", "closed_at", "closed_by"])
        audit_record(
            actor=actor.user,
            government=locked.government_id,
            action="update",
            obj=locked,
            object_repr=locked.name,
            changes={"status": [Cluster.Status.ACTIVE, Cluster.Status.CLOSED]},
        )
    return locked


# ---------------------------------------------------------------------------------------------------
# Source finding


def engine_class(case: Case) -> str | None:
    """The engine classification of a cluster case: its own when probable or confirmed, else the last
    probable or confirmed one of its history (a case whose isolation has finished still counts)."""
    if case.classification in ENGINE_CLASSES:
        return ENGINE_CLASSES[case.classification]
    for change in sorted(case.history.all(), key=lambda h: (h.changed_at, h.pk), reverse=True):
        if change.to_value in ENGINE_CLASSES:
            return ENGINE_CLASSES[change.to_value]
    return None


def person_key(employee_id: int | None, visitor_name: str) -> str:
    return f"e:{employee_id}" if employee_id else f"v:{visitor_name}"


def engine_cases(cluster: Cluster) -> list[Any]:
    """The engine's case records of the cluster's current members (index cases with a date only)."""
    from siaga.engines.tracing.data import Case as EngineCase

    out = []
    members = cluster.members.filter(removed_at__isnull=True).select_related("case").prefetch_related("case__history")
    for member in members:
        case = member.case
        klass = engine_class(case)
        if klass is None:
            continue
        record = EngineCase(
            person=person_key(case.employee_id, case.visitor_name),
            classification=klass,
            onset=case.onset_date,
            specimen=case.specimen_date,
        )
        if record.date is not None:
            out.append(record)
    return out


def source_finding_start(
    *, actor: Actor, cluster: Cluster, replicates: int = 999, seed: int = 0, run_now: bool = False
) -> SourceFinding:
    """Queue source finding for a cluster (a background task with progress), or run it at once
    (``run_now``: the demo, the API's ``wait``). At least one member must have a case date."""
    from siaga.engines.tracing.sources import exposure_period

    _require_task_force(actor)
    _same_government(actor, cluster)
    if not 0 <= replicates <= 99_999:
        raise ValidationError({"replicates": [_("Choose between 0 and 99999 replicates.")]})
    cases = engine_cases(cluster)
    if not cases:
        raise ValidationError(
            {
                "cluster": [
                    _(
                        "No case of this cluster has an onset date (or a specimen date when without symptoms): "
                        "enter the dates first, they define the exposure period."
                    )
                ]
            }
        )
    first, last = exposure_period(cases)
    with transaction.atomic():
        finding = SourceFinding.objects.create(
            government_id=cluster.government_id,
            cluster=cluster,
            period_start=first,
            period_end=last,
            replicates=replicates,
            seed=seed,
            created_by=actor.user,
        )
        audit_record(
            actor=actor.user,
            government=cluster.government_id,
            action="create",
            obj=finding,
            object_repr=f"source finding of {cluster.name}",
        )
        if not run_now:
            from siaga.outbreak.tasks_clusters import run_source_finding

            transaction.on_commit(lambda: run_source_finding.enqueue(finding.pk))
    if run_now:
        finding = source_finding_run(finding_id=finding.pk)
    return finding


def _load_presence(government_id: int, first: dt.date, last: dt.date, clock: Any) -> tuple[list[Any], dict[str, Any]]:
    """Presence records of the period as engine records, and the parts of each place key."""
    from siaga.attendance.models import Presence as StoredPresence
    from siaga.attendance.selectors import overlapping, presence_end
    from siaga.engines.tracing.data import Presence, micros
    from siaga.org.models import Building, Floor, Room

    t0 = clock.midnight(first)
    t1 = clock.midnight(last + dt.timedelta(days=1))
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    start = epoch + dt.timedelta(microseconds=t0)
    end = epoch + dt.timedelta(microseconds=t1)
    now = timezone.now()
    rows = overlapping(
        StoredPresence.objects.filter(government_id=government_id, floor__isnull=False), start, end
    ).values_list("employee_id", "visitor_name", "building_id", "floor_id", "room_id", "start", "end")
    records: list[Any] = []
    used: set[tuple[int, int, int | None]] = set()
    for employee_id, visitor_name, building_id, floor_id, room_id, r_start, r_end in rows.iterator(chunk_size=5000):
        s = micros(r_start)
        e = micros(presence_end(r_start, r_end, now))
        if e <= s:
            continue
        place = f"{building_id}/{floor_id}" + (f"/{room_id}" if room_id else "")
        used.add((building_id, floor_id, room_id))
        records.append(Presence(person_key(employee_id, visitor_name), place, s, e))
    buildings = dict(Building.objects.filter(pk__in={b for b, _, _ in used}).values_list("pk", "name"))
    floors = dict(Floor.objects.filter(pk__in={f for _, f, _ in used}).values_list("pk", "number"))
    rooms = dict(Room.objects.filter(pk__in={r for _, _, r in used if r}).values_list("pk", "name"))
    parts: dict[str, Any] = {}
    for b, f, r in used:
        parts[str(b)] = {"building": buildings.get(b, "?")}
        parts[f"{b}/{f}"] = {"building": buildings.get(b, "?"), "floor": floors.get(f)}
        if r:
            parts[f"{b}/{f}/{r}"] = {"building": buildings.get(b, "?"), "floor": floors.get(f), "room": rooms.get(r)}
    return records, parts


def conclude(rankings: dict[str, list[dict[str, Any]]], cases: int) -> dict[str, Any]:
    """The place the plain sentence names: the finest level whose top place stands out (Holm p < 0.05)
    and holds at least half of the cases present; else the top place with the smallest Holm p that stands
    out; else nothing (``{"significant": False}``)."""
    tops = [(level, rankings[level][0]) for level in LEVELS if rankings.get(level)]
    standing = [(level, row) for level, row in tops if row["p_holm"] < SIGNIFICANCE and row["a"] > 0]
    for level, row in standing:
        if cases and 2 * row["a"] >= cases:
            return {"significant": True, "level": level, **row}
    if standing:
        level, row = min(standing, key=lambda lr: (lr[1]["p_holm"], LEVELS.index(lr[0])))
        return {"significant": True, "level": level, **row}
    return {"significant": False}


def source_finding_run(*, finding_id: int) -> SourceFinding:
    """Compute a queued finding: rank the places at each level, run the scan, store the conclusion.
    Idempotent: a finding already done (or running elsewhere) is returned as it is."""
    from siaga.engines.tracing.data import Clock
    from siaga.engines.tracing.scan import space_time_scan
    from siaga.engines.tracing.sources import exposure_period, rank_places

    with transaction.atomic():
        finding = SourceFinding.objects.select_for_update().filter(pk=finding_id).first()
        if finding is None or finding.status != SourceFinding.Status.QUEUED:
            return finding  # type: ignore[return-value]
        finding.status = SourceFinding.Status.RUNNING
        finding.save(update_fields=["status"])
    tz = timezone.get_current_timezone()
    tz_name = str(tz)
    try:
        cases = engine_cases(finding.cluster)
        if not cases:  # the members changed since the finding was queued
            raise ValueError("no case of the cluster has a case date")
        first, last = exposure_period(cases)
        presence, parts = _load_presence(finding.government_id, first, last, Clock(tz))
        rankings: dict[str, list[dict[str, Any]]] = {}
        ranking = None
        for level in LEVELS:
            ranking = rank_places(presence, cases, level=level, tz=tz_name)
            rankings[level] = [{**p.as_dict(), **parts.get(p.place, {})} for p in ranking.places[:STORED_PLACES]]

        def progress(done: int) -> None:
            SourceFinding.objects.filter(pk=finding.pk).update(progress=done)

        scan = None
        if presence:
            result = space_time_scan(
                presence,
                cases,
                (first, last),
                tz=tz_name,
                replicates=finding.replicates,
                seed=finding.seed,
                on_progress=progress,
            )
            if result is not None:
                scan = {**result.as_dict(), **parts.get(result.zone, {}), "cases": len(result.cases)}
        population = ranking.population if ranking else 0
        in_cluster = ranking.cases if ranking else 0
        missing = set(ranking.cases_without_presence) if ranking else set()
        missing_ids = sorted(
            m.case_id
            for m in finding.cluster.members.filter(removed_at__isnull=True).select_related("case")
            if person_key(m.case.employee_id, m.case.visitor_name) in missing
        )
        SourceFinding.objects.filter(pk=finding.pk).update(
            status=SourceFinding.Status.DONE,
            period_start=first,
            period_end=last,
            population=population,
            cases=in_cluster,
            cases_without_presence=missing_ids,
            rankings=rankings,
            scan=scan,
            conclusion=conclude(rankings, in_cluster),
            progress=finding.replicates,
            finished_at=timezone.now(),
        )
    except Exception as exc:
        logger.exception("source finding %s failed", finding_id)
        SourceFinding.objects.filter(pk=finding.pk).update(
            status=SourceFinding.Status.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
        )
    finding.refresh_from_db()
    dashboard.changed(finding.government_id)  # the cluster's sentence on the dashboard
    return finding


def source_verdict_record(
    *, actor: Actor, finding: SourceFinding, level: str, place: str, verdict: str, note: str = ""
) -> SourceVerdict:
    """Confirm or reject a ranked place as the cluster's source (a new row each time: history kept)."""
    _require_task_force(actor)
    _same_government(actor, finding)
    errors: dict[str, list[str]] = {}
    if finding.status != SourceFinding.Status.DONE:
        errors["finding"] = [_("This source finding has not finished; wait for its result.")]
    if verdict not in SourceVerdict.Verdict.values:
        errors["verdict"] = [_("Choose confirmed or rejected.")]
    row = next((r for r in finding.rankings.get(level, []) if r["place"] == place), None) if not errors else None
    if not errors and row is None:
        errors["place"] = [_("This place is not among the ranked places of this finding.")]
    if errors:
        raise ValidationError(errors)
    assert row is not None
    with transaction.atomic():
        made = SourceVerdict.objects.create(
            government_id=finding.government_id,
            finding=finding,
            level=level,
            place=place,
            label=place_label(row)[:250],
            verdict=verdict,
            note=note[:250],
            decided_at=timezone.now(),
            decided_by=actor.user,
        )
        audit_record(
            actor=actor.user,
            government=finding.government_id,
            action="update",
            obj=finding,
            object_repr=f"source {verdict}: {made.label}",
            changes={"verdict": [None, verdict], "place": [None, place]},
        )
    return made


# ---------------------------------------------------------------------------------------------------
# Plain words


def place_label(row: dict[str, Any]) -> str:
    """ "Gedung Menara Wijaya lantai 5 · Ruang Rapat 1" from a ranked place's parts."""
    label = str(row.get("building") or row.get("place") or row.get("zone") or "?")
    if row.get("floor") is not None:
        label = _("%(building)s floor %(number)s") % {"building": label, "number": row["floor"]}
    if row.get("room"):
        label = f"{label} · {row['room']}"
    return label


def fmt_int(value: int) -> str:
    return number_format(value, force_grouping=True)


def fmt_ratio(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 10:
        return number_format(round(value), force_grouping=True)
    return number_format(value, decimal_pos=1)


def fmt_percent(value: float | None) -> str:
    """An attack rate (0–1) as a percentage: "30%", "0,7%"."""
    if value is None:
        return "—"
    percent = 100 * value
    return number_format(percent, decimal_pos=1 if 0 < percent < 10 else 0) + "%"


def fmt_p(value: float) -> str:
    if value < 0.001:
        return "< " + number_format(0.001, decimal_pos=3)
    return "= " + number_format(value, decimal_pos=3)


def source_sentence(finding: SourceFinding) -> str:
    """The finding in one plain sentence, in the active language."""
    conclusion = finding.conclusion or {}
    if finding.status != SourceFinding.Status.DONE:
        return ""
    if not conclusion.get("significant"):
        return _(
            "No place stands out: the cases were not present at any place more often than the other people "
            "there (no Holm-adjusted p below 0.05)."
        )
    exposed, unexposed = conclusion["a"] + conclusion["b"], conclusion["c"] + conclusion["d"]
    values = {
        "place": place_label(conclusion),
        "a": fmt_int(conclusion["a"]),
        "exposed": fmt_int(exposed),
        "c": fmt_int(conclusion["c"]),
        "unexposed": fmt_int(unexposed),
        "rr": fmt_ratio(conclusion["risk_ratio"]),
        "p": fmt_p(conclusion["p_holm"]),
    }
    return (
        _(
            "Suspected source of transmission: %(place)s: %(a)s of the %(exposed)s people present were infected, "
            "against %(c)s of the %(unexposed)s who were not; RR %(rr)s, p %(p)s"
        )
        % values
    )


def scan_sentence(finding: SourceFinding) -> str:
    """The space-time scan in one plain sentence."""
    scan = finding.scan
    if finding.status != SourceFinding.Status.DONE:
        return ""
    if not scan:
        return _("The space-time scan found no place and days with more cases than expected.")
    values = {
        "place": place_label(scan),
        "start": date_format(dt.date.fromisoformat(scan["start"]), "j F Y"),
        "end": date_format(dt.date.fromisoformat(scan["end"]), "j F Y"),
        "observed": fmt_int(scan["case_days_observed"]),
        "expected": number_format(scan["case_days_expected"], decimal_pos=1),
        "p": fmt_p(scan["p"]),
        "n": fmt_int(scan["replicates"]),
    }
    if scan["p"] < SIGNIFICANCE:
        text = _(
            "The space-time scan finds cases together at %(place)s from %(start)s to %(end)s more than their "
            "habits explain: %(observed)s case-days against %(expected)s expected; p %(p)s (%(n)s replicates)."
        )
    else:
        text = _(
            "The space-time scan finds no significant cluster: the most unusual is %(place)s from %(start)s to "
            "%(end)s, %(observed)s case-days against %(expected)s expected; p %(p)s (%(n)s replicates)."
        )
    return text % values
