"""Pages of clusters, source finding and transmission graphs (the health task force only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from siaga.core import access
from siaga.core.access import Actor, Perm
from siaga.core.forms import apply_service_errors
from siaga.core.views import client_ip
from siaga.outbreak import clusters as services
from siaga.outbreak import selectors
from siaga.outbreak import selectors_clusters as reads
from siaga.outbreak.models import Case, Cluster, SourceFinding, SourceVerdict


class ClusterForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    cases = forms.CharField(
        label=gettext_lazy("Case numbers"),
        help_text=gettext_lazy("Separated by commas, e.g. 12, 15, 17."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=250, required=False)

    def clean_cases(self) -> list[int]:
        raw = self.cleaned_data["cases"].replace(";", ",").replace("#", "")
        try:
            return sorted({int(part) for part in raw.split(",") if part.strip()})
        except ValueError:
            raise ValidationError(_("Write the case numbers separated by commas, e.g. 12, 15, 17.")) from None


class MemberForm(forms.Form):
    case = forms.IntegerField(label=gettext_lazy("Case number"), min_value=1)


def _task_force(request: HttpRequest) -> Actor:
    actor = access.request_actor(request)
    actor.require(Perm.VIEW_HEALTH)
    return actor


def _cases(actor: Actor, pks: list[int]) -> list[Case]:
    found = {c.pk: c for c in access.scope_cases(actor, Case.objects.filter(pk__in=pks))}
    missing = [pk for pk in pks if pk not in found]
    if missing:
        raise ValidationError(
            {"cases": [_("No case of your government has the number(s) %(n)s.") % {"n": ", ".join(map(str, missing))}]}
        )
    return list(found.values())


@login_required
def cluster_list(request: HttpRequest) -> HttpResponse:
    actor = _task_force(request)
    form = ClusterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cluster = services.cluster_create(
                actor=actor, name=data["name"], cases=_cases(actor, data["cases"]), note=data["note"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Cluster created."))
            return redirect("outbreak:cluster_detail", pk=cluster.pk)
    context = {
        "form": form,
        "clusters": reads.cluster_list(actor=actor, ip_address=client_ip(request)),
        "proposals": reads.cluster_proposals(actor=actor, ip_address=client_ip(request)),
    }
    return render(request, "outbreak/cluster_list.html", context, status=422 if form.errors else 200)


def _detail(request: HttpRequest, actor: Actor, cluster: Cluster, status: int = 200, **extra: Any) -> HttpResponse:
    findings = list(cluster.findings.all()[:5])
    latest = findings[0] if findings else None
    verdicts = {}
    if latest is not None:
        for v in SourceVerdict.objects.filter(finding__cluster=cluster).select_related("decided_by"):
            verdicts[(v.level, v.place)] = v  # ordered by time: the latest wins
    context = {
        "cluster": cluster,
        "members": reads.cluster_members(cluster=cluster),
        "history": reads.cluster_members(cluster=cluster, history=True).exclude(removed_at__isnull=True),
        "member_form": extra.get("member_form") or MemberForm(),
        "findings": findings,
        "latest": latest,
        "finding": _finding_context(latest, verdicts) if latest else None,
        "verdict_history": SourceVerdict.objects.filter(finding__cluster=cluster).select_related("decided_by"),
        "layout": reads.cluster_graph(actor=actor, cluster=cluster, log=False),
        "graph_labels": True,
    }
    return render(request, "outbreak/cluster_detail.html", context, status=status)


def _finding_context(finding: SourceFinding, verdicts: dict[tuple[str, str], SourceVerdict]) -> dict[str, Any]:
    levels = []
    for level, title in (("floor", _("By floor")), ("room", _("By room")), ("building", _("By building"))):
        rows = []
        for row in finding.rankings.get(level, [])[:10]:
            rows.append(
                {
                    **row,
                    "label": services.place_label(row),
                    "ar_exposed": services.fmt_percent(row["attack_rate_exposed"]),
                    "ar_unexposed": services.fmt_percent(row["attack_rate_unexposed"]),
                    "rr_text": services.fmt_ratio(row["risk_ratio"]),
                    "ci_text": (
                        f"{services.fmt_ratio(row['ci95'][0])}–{services.fmt_ratio(row['ci95'][1])}"
                        if row.get("ci95")
                        else "—"
                    ),
                    "p_text": services.fmt_p(row["p"]),
                    "holm_text": services.fmt_p(row["p_holm"]),
                    "verdict": verdicts.get((level, row["place"])),
                    "stands_out": row["p_holm"] < services.SIGNIFICANCE,
                }
            )
        levels.append({"level": level, "title": title, "rows": rows})
    return {
        "obj": finding,
        "sentence": services.source_sentence(finding),
        "scan_sentence": services.scan_sentence(finding),
        "levels": levels,
        "percent": round(100 * finding.progress / finding.replicates) if finding.replicates else 100,
    }


@login_required
def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _task_force(request)
    cluster = reads.cluster_get(actor=actor, pk=pk, ip_address=client_ip(request))
    return _detail(request, actor, cluster)


@login_required
@require_POST
def cluster_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _task_force(request)
    cluster = reads.cluster_get(actor=actor, pk=pk, ip_address=client_ip(request))
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            case = _cases(actor, [form.cleaned_data["case"]])[0]
            services.cluster_add_case(actor=actor, cluster=cluster, case=case)
        except ValidationError as exc:
            exc = ValidationError({"case": exc.messages})
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Case added to the cluster."))
            return redirect("outbreak:cluster_detail", pk=cluster.pk)
    return _detail(request, actor, cluster, status=422, member_form=form)


def _act_on_cluster(request: HttpRequest, cluster: Cluster, action: Callable[[], object], done: str) -> HttpResponse:
    """Run one task-force action on ``cluster``: its refusal or ``done`` as a message, back to the cluster."""
    try:
        action()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("outbreak:cluster_detail", pk=cluster.pk)


@login_required
@require_POST
def cluster_member_remove(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    actor = _task_force(request)
    cluster = reads.cluster_get(actor=actor, pk=pk, ip_address=client_ip(request))
    case = reads.case_for_cluster(actor=actor, pk=case_pk)
    return _act_on_cluster(
        request,
        cluster,
        lambda: services.cluster_remove_case(actor=actor, cluster=cluster, case=case),
        _("Case removed from the cluster."),
    )


@login_required
@require_POST
def cluster_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _task_force(request)
    cluster = reads.cluster_get(actor=actor, pk=pk, ip_address=client_ip(request))
    return _act_on_cluster(
        request, cluster, lambda: services.cluster_close(actor=actor, cluster=cluster), _("Cluster closed.")
    )


@login_required
@require_POST
def finding_start(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _task_force(request)
    cluster = reads.cluster_get(actor=actor, pk=pk, ip_address=client_ip(request))
    return _act_on_cluster(
        request,
        cluster,
        lambda: services.source_finding_start(actor=actor, cluster=cluster),
        _("Source finding started; the result appears below when it is ready."),
    )


@login_required
def finding_progress(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    """The live progress of a running finding (htmx); once finished, the page reloads."""
    actor = _task_force(request)
    cluster = reads.cluster_get(actor=actor, pk=pk, log=False)
    finding = reads.finding_get(actor=actor, cluster=cluster, pk=finding_pk)
    if not finding.running:
        return HttpResponse(headers={"HX-Refresh": "true"})
    return render(
        request,
        "outbreak/_finding_progress.html",
        {"cluster": cluster, "finding": _finding_context(finding, {})},
    )


@login_required
@require_POST
def finding_verdict(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    actor = _task_force(request)
    cluster = reads.cluster_get(actor=actor, pk=pk, ip_address=client_ip(request))
    finding = reads.finding_get(actor=actor, cluster=cluster, pk=finding_pk)
    return _act_on_cluster(
        request,
        cluster,
        lambda: services.source_verdict_record(
            actor=actor,
            finding=finding,
            level=request.POST.get("level", ""),
            place=request.POST.get("place", ""),
            verdict=request.POST.get("verdict", ""),
            note=request.POST.get("note", ""),
        ),
        _("Your decision on the source is recorded."),
    )


@login_required
def case_graph(request: HttpRequest, pk: int) -> HttpResponse:
    """The transmission chain of a case (the task force only; the person's own case page has none)."""
    actor = _task_force(request)
    case = selectors.case_get(actor=actor, pk=pk, ip_address=client_ip(request))
    layout = reads.case_graph(actor=actor, case=case, ip_address=client_ip(request))
    context = {"case": case, "layout": layout, "graph_labels": True, "highlight": str(case.pk)}
    if request.headers.get("HX-Request"):  # loaded into the case page
        return render(request, "outbreak/_graph.html", context)
    return render(request, "outbreak/case_graph.html", context)
