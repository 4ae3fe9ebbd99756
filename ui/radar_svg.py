"""Draw the register as a technology radar in SVG (no chart library: rings and sectors are simple geometry).

Rings from the centre: adopt, trial, assess, hold; rejected items sit in a dashed band outside the radar.
Quadrants (sectors) come from the entries. Each item is a numbered dot, its number the register's id (an entry
keeps it when it moves ring or quadrant); the caller lists the numbers. A legend under the circle says what the
colours (rings) and markers (new, moved) mean; each dot has a tooltip. Drawn `clickable`, each dot is a button
(focusable, named by its tooltip) for the page's radar widget (ui/radar_widget.py), which opens its card in the
session; an HTML link would reload the page, which starts a new session and signs the user out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from ui.services.statuses import OUTSIDE, RINGS
from ui.theme import RING_COLORS

SECTOR_FILLS = ("#f4f7fb", "#fbf7f1", "#f3f9f5", "#f8f4fa", "#f6f6f6", "#f1f8fa")


@dataclass(frozen=True)
class Blip:
    number: int
    name: str
    ring: str
    quadrant: str
    is_new: bool
    moved: bool
    x: float
    y: float


PAD = 12  # margin left and right; quadrant names sit in the square's corners, outside the circle
LEGEND_H = 84  # the legend strip under the circle
DOT, HALO, DIAMOND = 13, 18, 16  # dot radius, new-item halo radius, moved-item diamond half side
EDGES = (0.32, 0.56, 0.78, 1.0)  # outer edge of each ring, share of the radius: adopt is widest, it is a disc


def _ring(r_index: int, radius: float) -> tuple[float, float]:
    """Inner and outer radius of ring `r_index` (0 = adopt)."""
    return (EDGES[r_index - 1] * radius if r_index else 0.0), EDGES[r_index] * radius


def layout(entries, quadrants: list[str], size: int = 640) -> list[Blip]:
    """Place each entry in its (quadrant, ring) cell, spread evenly and deterministically."""
    centre = size / 2
    radius = size * 0.40
    band = radius / len(RINGS)
    sector = 2 * math.pi / max(len(quadrants), 1)
    cells: dict[tuple[str, str], list] = {}
    for entry in entries:
        if entry.ring in RINGS or entry.ring == OUTSIDE:
            cells.setdefault((entry.quadrant, entry.ring), []).append(entry)
    blips: list[Blip] = []
    running = max((getattr(e, "number", 0) or 0 for e in entries), default=0)  # entries without an id go after
    for q_index, quadrant in enumerate(quadrants):
        for ring in (*RINGS, OUTSIDE):
            items = sorted(cells.get((quadrant, ring), []), key=lambda e: e.name.lower())
            if ring == OUTSIDE:
                inner, outer = radius + 6, radius + band * 0.9
            else:
                r_index = RINGS.index(ring)
                inner, outer = _ring(r_index, radius)
            start = -math.pi / 2 + q_index * sector  # first sector starts at 12 o'clock
            for entry, (r, angle) in zip(items, _slots(len(items), inner, outer, start, sector), strict=True):
                number = getattr(entry, "number", 0) or 0
                if not number:
                    running += 1
                    number = running
                blips.append(Blip(number, entry.name, ring, quadrant, entry.is_new, entry.moved,
                                  PAD + centre + r * math.cos(angle), centre + r * math.sin(angle)))
    return blips


def _slots(count: int, inner: float, outer: float, start: float, sector: float) -> list[tuple[float, float]]:
    """(radius, angle) for `count` dots in the band [inner, outer] of a sector: as few rows (arcs) as hold them
    with a dot's width between neighbours, each row's share in proportion to its length, rows staggered by half
    a step; angles kept off the sector's edges."""
    if count == 0:
        return []
    gap = 2 * DOT + 3
    lo, hi = max(inner + DOT + 2, 2.2 * DOT), outer - DOT - 2
    rows, radii, capacity = 1, [(lo + hi) / 2], [0]
    for rows in range(1, 5):
        radii = [lo + (hi - lo) * (j + 0.5) / rows for j in range(rows)]
        capacity = [max(1, int(0.8 * sector * r / gap)) for r in radii]
        if sum(capacity) >= count:
            break
    total = sum(capacity)
    shares = [max(1, round(count * c / total)) for c in capacity]
    while sum(shares) > count:
        shares[shares.index(max(shares))] -= 1
    while sum(shares) < count:
        shares[-1] += 1
    slots = []
    for j, (r, n) in enumerate(zip(radii, shares, strict=True)):
        offset = 0.25 if (j % 2 and n > 1) else 0.0
        for i in range(n):
            share = (i + 0.5 + offset) / (n + offset * 2)
            if n == 1 and rows > 1 and max(shares) == 1:  # one dot a row: alternate sides, not stacked
                share = 0.3 if j % 2 == 0 else 0.7
            slots.append((r, start + sector * (0.1 + 0.8 * share)))
    return slots


def draw(entries, quadrants: list[str], ring_labels: dict[str, str], quadrant_labels: dict[str, str],
         size: int = 640, title: str = "technology radar", marker_labels: dict[str, str] | None = None,
         clickable: bool = False) -> tuple[str, list[Blip]]:
    """The radar as an SVG string and the numbered blips (for the list next to it). `marker_labels` names the
    markers in the legend ({"new": ..., "moved": ...}); `clickable` makes each dot a focusable button
    (`role="button"`, `tabindex="0"`, named by its tooltip), still carrying its number in `data-blip`."""
    markers = {"new": "new", "moved": "moved", **(marker_labels or {})}
    centre = size / 2
    radius = size * 0.40
    band = radius / len(RINGS)
    sector = 2 * math.pi / max(len(quadrants), 1)
    width, height = size + 2 * PAD, size + LEGEND_H
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMidYMin meet" style="font-family:sans-serif;max-width:{int(width * 1.25)}px;'
        f'height:auto;display:block;margin:0 auto" role="img" aria-label="{escape(title)}" data-testid="veille-radar">',
        f'<title>{escape(title)}</title>',
        f'<g transform="translate({PAD},0)">',
    ]
    # rejected band, outside the radar
    parts.append(
        f'<circle cx="{centre}" cy="{centre}" r="{radius + band * 0.95:.1f}" fill="#fff" '
        f'stroke="{RING_COLORS[OUTSIDE]}" stroke-dasharray="6 5" stroke-width="1.5"/>'
    )
    for q_index, _quadrant in enumerate(quadrants):
        a0 = -math.pi / 2 + q_index * sector
        a1 = a0 + sector
        large = 1 if sector > math.pi else 0
        x0, y0 = centre + radius * math.cos(a0), centre + radius * math.sin(a0)
        x1, y1 = centre + radius * math.cos(a1), centre + radius * math.sin(a1)
        path = f"M{centre},{centre} L{x0:.1f},{y0:.1f} A{radius:.1f},{radius:.1f} 0 {large} 1 {x1:.1f},{y1:.1f} Z"
        if len(quadrants) == 1:
            path = ""
            parts.append(f'<circle cx="{centre}" cy="{centre}" r="{radius}" fill="{SECTOR_FILLS[0]}"/>')
        if path:
            parts.append(f'<path d="{path}" fill="{SECTOR_FILLS[q_index % len(SECTOR_FILLS)]}"/>')
    for r_index in range(len(RINGS), 0, -1):
        parts.append(f'<circle cx="{centre}" cy="{centre}" r="{_ring(r_index - 1, radius)[1]:.1f}" fill="none" '
                     f'stroke="#b8c4cf" stroke-width="1"/>')
    for q_index in range(len(quadrants) if len(quadrants) > 1 else 0):
        a = -math.pi / 2 + q_index * sector
        parts.append(f'<line x1="{centre}" y1="{centre}" x2="{centre + radius * math.cos(a):.1f}" '
                     f'y2="{centre + radius * math.sin(a):.1f}" stroke="#8a9aa9" stroke-width="1.5"/>')
    for r_index, ring in enumerate(RINGS):  # ring names along the vertical axis
        y = centre - sum(_ring(r_index, radius)) / 2 + 5
        parts.append(f'<text x="{centre + 5}" y="{y:.1f}" font-size="14" fill="#3d4c5a" '
                     f'font-weight="bold">{escape(ring_labels.get(ring, ring))}</text>')
    parts.append(f'<text x="{centre + 5}" y="{centre - radius - band * 0.4:.1f}" font-size="14" '
                 f'fill="{RING_COLORS[OUTSIDE]}" font-weight="bold">{escape(ring_labels.get(OUTSIDE, OUTSIDE))}</text>')
    for q_index, quadrant in enumerate(quadrants):  # quadrant names in the corners, outside the circle
        mid = -math.pi / 2 + (q_index + 0.5) * sector
        cos, sin = math.cos(mid), math.sin(mid)
        label = quadrant_labels.get(quadrant, quadrant) or "—"
        lines = _wrap(label, 13)
        if abs(cos) < 0.2:  # straight above or below the circle (an odd number of quadrants)
            lx, anchor = centre, "middle"
        else:
            lx, anchor = (-PAD + 6, "start") if cos < 0 else (size + PAD - 6, "end")
        top: float = 22 if sin < 0 else size - 8 - 19 * (len(lines) - 1)
        if abs(sin) < 0.2:  # level with the centre (a six-quadrant radar): beside it
            top = centre - 9.5 * (len(lines) - 1)
        tspans = "".join(f'<tspan x="{lx:.1f}" dy="{0 if i == 0 else 19}">{escape(line)}</tspan>'
                         for i, line in enumerate(lines))
        parts.append(f'<text x="{lx:.1f}" y="{top:.1f}" font-size="16" font-weight="bold" '
                     f'fill="#1c2733" text-anchor="{anchor}">{tspans}</text>')
    parts.append("</g>")
    blips = layout(entries, quadrants, size)
    for blip in blips:
        colour = RING_COLORS.get(blip.ring, "#7f7f7f")
        tip = f"{blip.number}. {blip.name} ({ring_labels.get(blip.ring, blip.ring)})"
        tip += "".join(f" · {markers[m]}" for m, on in (("new", blip.is_new), ("moved", blip.moved)) if on)
        button = f' role="button" tabindex="0" aria-label="{escape(tip)}"' if clickable else ""
        parts.append(f'<g data-blip="{blip.number}"{button}>')
        parts.append(f"<title>{escape(tip)}</title>")
        if blip.is_new:  # a halo marks new items
            parts.append(f'<circle cx="{blip.x:.1f}" cy="{blip.y:.1f}" r="{HALO}" fill="none" stroke="{colour}" '
                         f'stroke-width="3"/>')
        if blip.moved:  # a diamond marks items that changed ring
            parts.append(_diamond(blip.x, blip.y, colour))
        parts.append(f'<circle cx="{blip.x:.1f}" cy="{blip.y:.1f}" r="{DOT}" fill="{colour}" stroke="#fff" '
                     f'stroke-width="1.5"/>')
        font = 13 if blip.number < 100 else 11
        parts.append(f'<text x="{blip.x:.1f}" y="{blip.y + font * 0.36:.1f}" font-size="{font}" fill="#fff" '
                     f'text-anchor="middle" font-weight="bold">{blip.number}</text>')
        parts.append("</g>")
    parts.append(_legend(width, size, ring_labels, markers))
    parts.append("</svg>")
    return "".join(parts), blips


def _diamond(x: float, y: float, colour: str) -> str:
    return (f'<rect x="{x - DIAMOND:.1f}" y="{y - DIAMOND:.1f}" width="{2 * DIAMOND}" height="{2 * DIAMOND}" '
            f'fill="none" stroke="{colour}" stroke-width="2.5" transform="rotate(45 {x:.1f} {y:.1f})"/>')


def _legend(width: int, top: int, ring_labels: dict[str, str], markers: dict[str, str]) -> str:
    """Under the circle: one swatch per ring colour, then the two markers, centred, in a strip."""
    rings = (*RINGS, OUTSIDE)
    step = width / len(rings)
    parts = ['<g data-testid="veille-radar-legend" font-size="15" fill="#1c2733">']
    y = top + 18
    for i, ring in enumerate(rings):
        x = step * i + 24
        parts.append(f'<circle cx="{x:.1f}" cy="{y}" r="9" fill="{RING_COLORS[ring]}"/>'
                     f'<text x="{x + 15:.1f}" y="{y + 5}">{escape(ring_labels.get(ring, ring))}</text>')
    y += 40
    grey = "#5b6b7a"
    x = width / 2 - 190
    parts.append(f'<circle cx="{x:.1f}" cy="{y}" r="{HALO - 4}" fill="none" stroke="{grey}" stroke-width="3"/>'
                 f'<circle cx="{x:.1f}" cy="{y}" r="8" fill="{grey}"/>'
                 f'<text x="{x + 24:.1f}" y="{y + 5}">{escape(markers["new"])}</text>')
    x = width / 2 + 40
    parts.append(f'<rect x="{x - 11:.1f}" y="{y - 11}" width="22" height="22" fill="none" stroke="{grey}" '
                 f'stroke-width="2.5" transform="rotate(45 {x:.1f} {y})"/>'
                 f'<circle cx="{x:.1f}" cy="{y}" r="8" fill="{grey}"/>'
                 f'<text x="{x + 24:.1f}" y="{y + 5}">{escape(markers["moved"])}</text>')
    parts.append("</g>")
    return "".join(parts)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]
