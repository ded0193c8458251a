"""The transmission graph: the Django-free layered layout, and the graph on the case and cluster pages."""

from __future__ import annotations

import pytest
from django.test import Client

from siaga.api.tests.conftest import ApiClient
from siaga.outbreak import clusters, services
from siaga.outbreak.graph import COLOURS, Edge, Node, generations, initials, layout
from siaga.outbreak.models import ContactProposal
from siaga.outbreak.tests.conftest import days_ago


def nodes(*ids: str, kind: str = "confirmed_asymptomatic") -> list[Node]:
    return [Node(id=i, kind=kind, label=i.upper()) for i in ids]


def test_generations_follow_the_chain_from_the_first_case():
    edges = [Edge("a", "b"), Edge("a", "c"), Edge("b", "d"), Edge("c", "d"), Edge("d", "e")]
    assert generations("abcdef", edges) == {"a": 0, "b": 1, "c": 1, "d": 2, "e": 3, "f": 0}


def test_a_loop_without_a_way_in_starts_at_its_smallest_id_and_ends():
    assert generations(["x", "y", "z"], [Edge("y", "z"), Edge("z", "y"), Edge("x", "x")]) == {"x": 0, "y": 0, "z": 1}


def test_edges_to_unknown_nodes_are_ignored():
    assert generations(["a"], [Edge("a", "zz"), Edge("zz", "a")]) == {"a": 0}


def test_layers_are_rows_top_to_bottom_and_each_row_is_centred():
    result = layout(
        nodes("a", "b", "c", "d"),
        [Edge("a", "b"), Edge("a", "c"), Edge("a", "d")],
        column=100,
        row=80,
        gap=20,
        margin=10,
        radius=20,
    )
    where = {p.node.id: p for p in result.nodes}
    assert result.generations == 2
    assert result.width == 2 * 10 + 3 * 100
    assert result.height == 10 + 80 + 20 + 80 + 10
    assert where["a"].y == 30 and {where[k].y for k in "bcd"} == {10 + 80 + 20 + 20}
    assert where["a"].x == 160  # centred above its three children
    assert [where[k].x for k in "bcd"] == [60, 160, 260]
    # each edge runs from the parent's circle to just short of the child's (room for the arrow head)
    down = next(e for e in result.edges if e.target == "c")
    assert (down.x1, down.y1, down.x2, down.y2) == (160, 50, 160, 130 - 24)


def test_a_wide_generation_wraps_onto_more_rows_for_phones():
    result = layout(nodes(*[str(i) for i in range(1, 11)]), [], column=100, row=80, gap=20, margin=10, max_columns=4)
    rows = sorted({p.y for p in result.nodes})
    assert len(rows) == 3 and rows[1] - rows[0] == 80  # 4 + 4 + 2, all of generation 0
    assert result.width == 2 * 10 + 4 * 100
    last = sorted(p.x for p in result.nodes if p.y == rows[2])
    assert last == [160, 260]  # the short row is centred
    assert [p.node.id for p in sorted(result.nodes, key=lambda p: (p.y, p.x))][:5] == ["1", "2", "3", "4", "5"]


def test_children_sit_under_their_parents():
    result = layout(
        nodes("r1", "r2", "x", "y"), [Edge("r2", "x"), Edge("r1", "y")], column=100, row=80, margin=0, radius=10
    )
    where = {p.node.id: p for p in result.nodes}
    assert where["r1"].x < where["r2"].x
    assert where["y"].x < where["x"].x  # y's parent is on the left: so is y


def test_colours_by_classification_and_initials():
    result = layout([Node("1", "confirmed_symptomatic"), Node("2", "close_contact"), Node("3", "whatever")], [])
    colours = {p.node.id: p.colour for p in result.nodes}
    assert colours == {"1": COLOURS["confirmed_symptomatic"], "2": COLOURS["close_contact"], "3": "#9e9e9e"}
    assert next(p for p in result.nodes if p.node.id == "1").text_colour == "#ffffff"
    assert initials("Staf Pelayanan") == "SP"
    assert initials("dr. Siti Rahma Dewi Lestari, M.Kes") == "SRD"
    assert initials("") == "?"
    assert layout([], []).nodes == []


@pytest.mark.django_db
def test_the_case_and_cluster_pages_draw_the_chain(org, task_force, staff_case):
    """The staff case exposed a colleague who became a confirmed case and exposed a third person."""
    second = services.case_create(
        actor=task_force, employee=org["staff_umum"], classification="confirmed_symptomatic", onset_date=days_ago(1)
    )
    third = services.case_create(
        actor=task_force, employee=org["kabid"], classification="close_contact", last_exposure=days_ago(1)
    )
    for source, target in ((staff_case, second), (second, third)):
        ContactProposal.objects.create(
            government=org["government"],
            case=source,
            employee=target.employee,
            status=ContactProposal.Status.CONFIRMED,
            last_exposure=days_ago(2),
            contact_case=target,
        )
    # a dismissed proposal draws no edge
    ContactProposal.objects.create(
        government=org["government"],
        case=second,
        employee=org["kadis"],
        status=ContactProposal.Status.DISMISSED,
        last_exposure=days_ago(2),
    )
    client = Client()
    client.force_login(org["users"]["health"])
    html = client.get(f"/outbreak/cases/{third.pk}/graph/").content.decode()
    assert html.count("<circle") == 3
    assert f'data-edge="{staff_case.pk}-{second.pk}"' in html and f'data-edge="{second.pk}-{third.pk}"' in html
    assert f'data-node="{third.pk}" data-generation="2"' in html
    assert ">SP<" in html and "Bidang Pelayanan" in html  # initials and unit, for the task force
    cluster = clusters.cluster_create(actor=task_force, name="Klaster Dinas", cases=[staff_case, second])
    html = client.get(f"/outbreak/clusters/{cluster.pk}/").content.decode()
    assert html.count("<circle") == 3 and f'data-node="{third.pk}"' in html
    api = ApiClient(user=org["users"]["health"]).get(f"/cases/{staff_case.pk}/graph").json()
    assert sorted((e["source"], e["target"]) for e in api["edges"]) == sorted(
        [(staff_case.pk, second.pk), (second.pk, third.pk)]
    )
    assert {n["case_id"]: n["generation"] for n in api["nodes"]} == {staff_case.pk: 0, second.pk: 1, third.pk: 2}
    # the person's own case page has no graph link; the task force's has
    assert 'data-testid="case-graph"' in client.get(f"/outbreak/cases/{third.pk}/").content.decode()
    fragment = client.get(f"/outbreak/cases/{third.pk}/graph/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith("<div") and fragment.count("<circle") == 3 and "<html" not in fragment
    assert 'stroke-width="4"' in fragment  # the case itself is outlined
    own = Client()
    own.force_login(org["users"]["staff"])
    assert 'data-testid="case-graph"' not in own.get(f"/outbreak/cases/{staff_case.pk}/").content.decode()
    assert own.get(f"/outbreak/cases/{staff_case.pk}/graph/").status_code == 403
