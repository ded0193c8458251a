"""Why a roster cannot exist: checks of necessary conditions, with messages for a BKPSDM officer.

Every check is a counting argument that any plan satisfying H1–H7 must pass, so a failed check is a
proof of infeasibility that names the unit, floor, day, shift and skill concerned.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

from siaga.engines.roster.types import Employee, Explanation, Problem

MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
REASONS = {
    "isolation": "isolasi",
    "quarantine": "karantina",
    "leave": "cuti",
    "travel": "perjalanan dinas/izin keluar daerah",
}
KIND_ORDER = {"mode": 0, "cap": 1, "coverage": 2, "capacity": 3}


def tanggal(day: dt.date) -> str:
    """7 Des, in the Indonesian month abbreviations."""
    return f"{day.day} {MONTHS[day.month - 1]}"


def reason_word(reason: str) -> str:
    return REASONS.get(reason, reason or "tidak tersedia")


def _reason_of(e: Employee, day: dt.date) -> str:
    for span in e.unavailable:
        if span.covers(day):
            return span.reason
    return ""


def _why_missing(holders: list[Employee], day: dt.date) -> str:
    """ "karena 6 orang isolasi dan 1 orang selalu WFH", or what the shortage is otherwise."""
    reasons = Counter(reason_word(_reason_of(e, day)) for e in holders if e.is_unavailable(day))
    parts = [f"{n} orang {word}" for word, n in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))]
    wfh = sum(1 for e in holders if e.mode == "always_wfh" and not e.is_unavailable(day))
    if wfh:
        parts.append(f"{wfh} orang wajib WFH")
    if not parts:
        return f"unit ini hanya punya {len(holders)} pegawai dengan keahlian itu"
    return "karena " + " dan ".join(parts) if len(parts) <= 2 else "karena " + ", ".join(parts)


def sort_explanations(items: list[Explanation]) -> list[Explanation]:
    return sorted(
        items,
        key=lambda x: (
            x.date or dt.date.min,
            KIND_ORDER.get(x.kind, 9),
            x.unit or "",
            x.floor or "",
            x.shift or "",
            x.skill or "",
        ),
    )


def prechecks(problem: Problem) -> list[Explanation]:
    """Necessary conditions for H5–H7, checked by counting; every failure is explained."""
    out: list[Explanation] = []
    days = problem.days
    members = problem.members()
    shift_count = len(problem.shifts)
    floors = {f.id: f for f in problem.floors}
    for u in problem.units:
        staff = members[u.id]
        cap = u.cap_count(len(staff))
        per_shift = max((c.min for c in u.coverage), default=0)
        for day in days:
            wfo = [e for e in staff if e.mode == "always_wfo" and not e.is_unavailable(day)]
            if len(wfo) > cap:
                out.append(
                    Explanation(
                        kind="mode",
                        unit=u.id,
                        date=day,
                        needed=len(wfo),
                        possible=cap,
                        message=(
                            f"{u.id} punya {len(wfo)} pegawai wajib WFO pada {tanggal(day)}, melebihi batas WFO "
                            f"{cap} orang ({u.wfo_cap:.0%} dari {len(staff)}); naikkan batas WFO atau ubah "
                            "status wajib WFO sebagian pegawai."
                        ),
                    )
                )
            if per_shift * shift_count > cap:
                out.append(
                    Explanation(
                        kind="cap",
                        unit=u.id,
                        date=day,
                        needed=per_shift * shift_count,
                        possible=cap,
                        message=(
                            f"{u.id} butuh sedikitnya {per_shift * shift_count} orang di kantor pada {tanggal(day)} "
                            f"({per_shift} per shift × {shift_count} shift) untuk layanan minimum, tetapi batas WFO "
                            f"hanya {cap} orang; naikkan batas WFO atau kurangi jumlah minimum petugas."
                        ),
                    )
                )
            for shift in problem.shifts:
                for rule in u.coverage:
                    holders = [e for e in staff if rule.skill in e.skills]
                    ready = [e for e in holders if not e.is_unavailable(day) and e.mode != "always_wfh"]
                    if len(ready) < rule.min:
                        out.append(
                            Explanation(
                                kind="coverage",
                                unit=u.id,
                                date=day,
                                shift=shift.id,
                                skill=rule.skill,
                                needed=rule.min,
                                possible=len(ready),
                                message=(
                                    f"{u.id} butuh {rule.min} petugas {rule.skill} pada {tanggal(day)} shift "
                                    f"{shift.id}; hanya {len(ready)} tersedia {_why_missing(holders, day)}."
                                ),
                            )
                        )
    out.extend(_frozen_conflicts(problem))
    unit_floor = {u.id: u.floor for u in problem.units}
    seat = {e.id: e.floor or unit_floor[e.unit] for e in problem.employees}
    for f in problem.floors:
        on_floor = [e for e in problem.employees if seat[e.id] == f.id]
        for day in days:
            fixed = sum(1 for e in on_floor if e.mode == "always_wfo" and not e.is_unavailable(day))
            if math.ceil(fixed / shift_count) > f.capacity:
                out.append(
                    Explanation(
                        kind="capacity",
                        floor=f.id,
                        date=day,
                        needed=math.ceil(fixed / shift_count),
                        possible=f.capacity,
                        message=(
                            f"Lantai {f.id} menampung {f.capacity} orang per shift, tetapi {fixed} pegawai wajib WFO "
                            f"pada {tanggal(day)} butuh sedikitnya {math.ceil(fixed / shift_count)} tempat per shift."
                        ),
                    )
                )
            need = _coverage_on_floor(problem, members, seat, f.id, day)
            if need > f.capacity:
                out.append(
                    Explanation(
                        kind="capacity",
                        floor=f.id,
                        date=day,
                        needed=need,
                        possible=floors[f.id].capacity,
                        message=(
                            f"Lantai {f.id} menampung {f.capacity} orang per shift, tetapi layanan minimum unit di "
                            f"lantai ini butuh {need} petugas per shift pada {tanggal(day)}."
                        ),
                    )
                )
    return sort_explanations(out)


def _frozen_conflicts(problem: Problem) -> list[Explanation]:
    """A frozen day keeps a previous wfo/wfh assignment that H3 (always_wfo/always_wfh) now forbids."""
    if problem.previous_plan is None or problem.frozen_until is None:
        return []
    frozen_until = problem.frozen_until
    by_id = {e.id: e for e in problem.employees}
    days = set(problem.days)
    out = []
    seen: set[tuple[str, dt.date]] = set()
    for a in problem.previous_plan.assignments:
        e = by_id.get(a.employee)
        if e is None or a.date not in days or a.date > frozen_until or e.is_unavailable(a.date):
            continue
        if (e.id, a.date) in seen:
            continue
        seen.add((e.id, a.date))
        wrong = (e.mode == "always_wfo" and a.mode == "wfh") or (e.mode == "always_wfh" and a.mode == "wfo")
        if wrong:
            want = "WFO" if e.mode == "always_wfo" else "WFH"
            out.append(
                Explanation(
                    kind="mode",
                    unit=e.unit,
                    employee=e.id,
                    date=a.date,
                    message=(
                        f"Pegawai {e.id} ({e.unit}) wajib {want}, tetapi jadwal {tanggal(a.date)} sudah dibekukan "
                        f"sebagai {a.mode.upper()}; ubah tanggal pembekuan atau status pegawai ini."
                    ),
                )
            )
    return out


def _coverage_on_floor(
    problem: Problem, members: dict[str, list[Employee]], seat: dict[str, str], floor: str, day: dt.date
) -> int:
    """Σ_u max_k (m_k − available holders of k in u seated elsewhere)⁺: staff floor f must hold per shift."""
    need = 0
    for u in problem.units:
        if not u.coverage:
            continue
        most = 0
        for rule in u.coverage:
            elsewhere = sum(
                1
                for e in members[u.id]
                if rule.skill in e.skills
                and seat[e.id] != floor
                and e.mode != "always_wfh"
                and not e.is_unavailable(day)
            )
            most = max(most, rule.min - elsewhere)
        if most > 0 and any(seat[e.id] == floor for e in members[u.id]):
            need += most
    return need


def violation_message(kind: str, **fields: object) -> str:
    """Messages for constraints that a relaxed re-solve showed must be broken."""
    day = fields["date"]
    assert isinstance(day, dt.date)
    if kind == "coverage":
        return (
            f"{fields['unit']} butuh {fields['needed']} petugas {fields['skill']} pada {tanggal(day)} shift "
            f"{fields['shift']}; paling banyak {fields['possible']} dapat hadir tanpa melanggar batas WFO, "
            "kapasitas lantai atau jadwal yang sudah dibekukan."
        )
    if kind == "cap":
        return (
            f"{fields['unit']} perlu {fields['needed']} orang di kantor pada {tanggal(day)} untuk layanan minimum "
            f"dan pegawai wajib WFO, tetapi batas WFO hanya {fields['possible']} orang."
        )
    return (
        f"Lantai {fields['floor']} perlu menampung {fields['needed']} orang pada {tanggal(day)} shift "
        f"{fields['shift']}, tetapi kapasitasnya hanya {fields['possible']} orang."
    )
