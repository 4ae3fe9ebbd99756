"""Draw the register as a technology radar in SVG (no chart library: rings and sectors are simple geometry).

Rings from the centre: adopt, trial, assess, hold; rejected items sit in a dashed band outside the radar.
Quadrants (sectors) come from the entries. Each item is a numbered dot; the caller lists the numbers.
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


PAD = 115  # room left and right of the circle for the quadrant names


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
    number = 0
    for q_index, quadrant in enumerate(quadrants):
        for ring in (*RINGS, OUTSIDE):
            items = sorted(cells.get((quadrant, ring), []), key=lambda e: e.name.lower())
            if ring == OUTSIDE:
                inner, outer = radius + 6, radius + band * 0.9
            else:
                r_index = RINGS.index(ring)
                inner, outer = r_index * band, (r_index + 1) * band
            start = -math.pi / 2 + q_index * sector  # first sector starts at 12 o'clock
            for i, entry in enumerate(items):
                number += 1
                # several rows inside the band when crowded, angles kept off the sector edges
                rows = 1 if len(items) <= 4 else 2
                row = i % rows
                per_row = math.ceil(len(items) / rows)
                slot = i // rows
                angle = start + sector * (0.12 + 0.76 * (slot + 0.5) / per_row)
                r = inner + (outer - inner) * ((row + 1) / (rows + 1) if ring != "adopt" or rows > 1 else 0.55)
                if ring == "adopt" and r < band * 0.35:
                    r = band * 0.35
                blips.append(Blip(number, entry.name, ring, quadrant, entry.is_new, entry.moved,
                                  PAD + centre + r * math.cos(angle), centre + r * math.sin(angle)))
    return blips


def draw(entries, quadrants: list[str], ring_labels: dict[str, str], quadrant_labels: dict[str, str],
         size: int = 640, title: str = "technology radar") -> tuple[str, list[Blip]]:
    """The radar as an SVG string and the numbered blips (for the legend next to it)."""
    centre = size / 2
    radius = size * 0.40
    band = radius / len(RINGS)
    sector = 2 * math.pi / max(len(quadrants), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size + 2 * PAD} {size}" width="{size + 2 * PAD}" '
        f'height="{size}" style="font-family:sans-serif" role="img" aria-label="{escape(title)}">',
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
        parts.append(f'<circle cx="{centre}" cy="{centre}" r="{r_index * band:.1f}" fill="none" '
                     f'stroke="#b8c4cf" stroke-width="1"/>')
    for q_index in range(len(quadrants) if len(quadrants) > 1 else 0):
        a = -math.pi / 2 + q_index * sector
        parts.append(f'<line x1="{centre}" y1="{centre}" x2="{centre + radius * math.cos(a):.1f}" '
                     f'y2="{centre + radius * math.sin(a):.1f}" stroke="#8a9aa9" stroke-width="1.5"/>')
    for r_index, ring in enumerate(RINGS):  # ring names along the vertical axis
        y = centre - (r_index + 0.5) * band
        parts.append(f'<text x="{centre + 4}" y="{y:.1f}" font-size="11" fill="#5b6b7a" '
                     f'font-weight="bold">{escape(ring_labels.get(ring, ring))}</text>')
    parts.append(f'<text x="{centre + 4}" y="{centre - radius - band * 0.45:.1f}" font-size="11" '
                 f'fill="{RING_COLORS[OUTSIDE]}" font-weight="bold">{escape(ring_labels.get(OUTSIDE, OUTSIDE))}</text>')
    for q_index, quadrant in enumerate(quadrants):  # quadrant names in the corners
        mid = -math.pi / 2 + (q_index + 0.5) * sector
        lx = centre + (radius + band * 1.05) * math.cos(mid)
        ly = centre + (radius + band * 1.05) * math.sin(mid)
        anchor = "start" if math.cos(mid) > 0.2 else "end" if math.cos(mid) < -0.2 else "middle"
        label = quadrant_labels.get(quadrant, quadrant) or "—"
        lines = _wrap(label, 16)
        tspans = "".join(f'<tspan x="{lx:.1f}" dy="{0 if i == 0 else 16}">{escape(line)}</tspan>'
                         for i, line in enumerate(lines))
        parts.append(f'<text x="{lx:.1f}" y="{ly - 8 * (len(lines) - 1):.1f}" font-size="14" font-weight="bold" '
                     f'fill="#1c2733" text-anchor="{anchor}">{tspans}</text>')
    parts.append("</g>")
    blips = layout(entries, quadrants, size)
    for blip in blips:
        colour = RING_COLORS.get(blip.ring, "#7f7f7f")
        title = escape(f"{blip.number}. {blip.name} ({ring_labels.get(blip.ring, blip.ring)})")
        parts.append(f"<g><title>{title}</title>")
        if blip.is_new:  # a star-like halo marks new items
            parts.append(f'<circle cx="{blip.x:.1f}" cy="{blip.y:.1f}" r="13" fill="none" stroke="{colour}" '
                         f'stroke-width="2.5"/>')
        if blip.moved:
            parts.append(f'<rect x="{blip.x - 12:.1f}" y="{blip.y - 12:.1f}" width="24" height="24" fill="none" '
                         f'stroke="{colour}" stroke-width="2" transform="rotate(45 {blip.x:.1f} {blip.y:.1f})"/>')
        parts.append(f'<circle cx="{blip.x:.1f}" cy="{blip.y:.1f}" r="9" fill="{colour}"/>')
        parts.append(f'<text x="{blip.x:.1f}" y="{blip.y + 3.5:.1f}" font-size="10" fill="#fff" '
                     f'text-anchor="middle" font-weight="bold">{blip.number}</text></g>')
    parts.append("</svg>")
    return "".join(parts), blips


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]
