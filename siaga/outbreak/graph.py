"""Layout of a transmission graph: cases and contacts as nodes, "infected/exposed by" edges, placed in
layers by generation for a server-rendered SVG. No Django imports.

Generation 0 holds the people nobody in the graph exposed (the first known cases); every other node
sits one layer below the nearest node that exposed it (shortest path from a root, so a loop of edges
cannot push a node down forever; a loop with no root starts at its smallest id). Within a layer, nodes
are ordered by the mean position of the nodes that exposed them, then by id, so that chains stay
roughly vertical.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

#: fill colour of a node by classification (the registry's values); unknown kinds are grey
COLOURS: dict[str, str] = {
    "suspect": "#f2c94c",
    "probable": "#f2994a",
    "confirmed_symptomatic": "#c0392b",
    "confirmed_asymptomatic": "#e57373",
    "close_contact": "#5b8def",
    "discarded": "#bdbdbd",
    "isolation_finished": "#6fcf97",
    "died": "#333333",
}
DEFAULT_COLOUR = "#9e9e9e"
#: classifications drawn with white text (dark fills)
DARK = frozenset({"confirmed_symptomatic", "died"})


@dataclass(frozen=True)
class Node:
    id: str
    kind: str  # the classification
    label: str = ""  # initials, shown to the task force only
    sub: str = ""  # the unit, shown to the task force only
    href: str = ""


@dataclass(frozen=True)
class Edge:
    source: str  # who exposed
    target: str  # who was exposed


@dataclass(frozen=True)
class PlacedNode:
    node: Node
    generation: int
    x: float
    y: float

    @property
    def colour(self) -> str:
        return COLOURS.get(self.node.kind, DEFAULT_COLOUR)

    @property
    def text_colour(self) -> str:
        return "#ffffff" if self.node.kind in DARK else "#111111"


@dataclass(frozen=True)
class PlacedEdge:
    source: str
    target: str
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class Layout:
    nodes: list[PlacedNode] = field(default_factory=list)
    edges: list[PlacedEdge] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0
    radius: float = 0.0

    @property
    def generations(self) -> int:
        return 1 + max((n.generation for n in self.nodes), default=-1)


def initials(name: str, *, letters: int = 3) -> str:
    """Initials of a name, e.g. "SP" for "Staf Pelayanan"; titles before the name (words ending in a full
    stop: "dr.", "H.") and degrees after a comma are left out."""
    words = [w for w in name.split(",")[0].split() if w[:1].isalpha() and not w.endswith(".")]
    return "".join(w[0].upper() for w in words[:letters]) or "?"


def generations(node_ids: Iterable[str], edges: Iterable[Edge]) -> dict[str, int]:
    """The layer of each node: 0 for nodes without an incoming edge, else 1 + the nearest root's distance."""
    ids = sorted(set(node_ids))
    known = set(ids)
    children: dict[str, list[str]] = defaultdict(list)
    has_parent: set[str] = set()
    for e in edges:
        if e.source in known and e.target in known and e.source != e.target:
            children[e.source].append(e.target)
            has_parent.add(e.target)
    level: dict[str, int] = {}

    def walk(roots: list[str]) -> None:
        queue = deque(roots)
        for r in roots:
            level[r] = 0
        while queue:
            at = queue.popleft()
            for child in sorted(children[at]):
                if child not in level:
                    level[child] = level[at] + 1
                    queue.append(child)

    walk([i for i in ids if i not in has_parent])
    for i in ids:  # loops with no way in: start each at its smallest id
        if i not in level:
            walk([i])
    return level


def layout(
    nodes: Sequence[Node],
    edges: Sequence[Edge],
    *,
    column: float = 76.0,
    row: float = 76.0,
    gap: float = 24.0,
    margin: float = 14.0,
    radius: float = 22.0,
    max_columns: int = 4,
) -> Layout:
    """Positions of the nodes (centres) in layers by generation, top to bottom, each row centred. A
    generation wider than ``max_columns`` wraps onto further rows (phone screens are narrow); ``gap``
    separates one generation from the next."""
    by_id = {n.id: n for n in nodes}
    if not by_id:
        return Layout(radius=radius)
    edges = [e for e in edges if e.source in by_id and e.target in by_id and e.source != e.target]
    level = generations(by_id, edges)
    parents: dict[str, list[str]] = defaultdict(list)
    for e in edges:
        parents[e.target].append(e.source)
    layers: dict[int, list[str]] = defaultdict(list)
    for node_id, g in level.items():
        layers[g].append(node_id)
    columns = max(1, min(max_columns, max(len(v) for v in layers.values())))
    width = 2 * margin + columns * column
    x_of: dict[str, float] = {}
    placed: list[PlacedNode] = []
    top = margin
    for g in sorted(layers):

        def key(node_id: str) -> tuple[float, int, str]:
            xs = [x_of[p] for p in parents[node_id] if p in x_of]
            return (sum(xs) / len(xs) if xs else -1.0, len(node_id), node_id)

        members = sorted(layers[g], key=key)
        for start in range(0, len(members), columns):
            chunk = members[start : start + columns]
            offset = margin + (columns - len(chunk)) * column / 2
            for i, node_id in enumerate(chunk):
                x = offset + i * column + column / 2
                x_of[node_id] = x
                placed.append(PlacedNode(by_id[node_id], g, x, top + radius))
            top += row
        top += gap
    where = {p.node.id: p for p in placed}
    drawn: list[PlacedEdge] = []
    seen: set[tuple[str, str]] = set()
    for e in edges:
        if (e.source, e.target) in seen:
            continue
        seen.add((e.source, e.target))
        a, b = where[e.source], where[e.target]
        # from the edge of one circle to the edge of the other, so the arrow head stays visible
        dx, dy = b.x - a.x, b.y - a.y
        length = (dx * dx + dy * dy) ** 0.5 or 1.0
        ux, uy = dx / length, dy / length
        drawn.append(
            PlacedEdge(
                e.source,
                e.target,
                round(a.x + ux * radius, 1),
                round(a.y + uy * radius, 1),
                round(b.x - ux * (radius + 4), 1),
                round(b.y - uy * (radius + 4), 1),
            )
        )
    height = top - gap + margin
    return Layout(nodes=placed, edges=drawn, width=width, height=height, radius=radius)
