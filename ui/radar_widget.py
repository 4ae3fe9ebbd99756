"""The radar on its page, as a Streamlit v2 component whose dots open their cards in the same session.

A link on a dot would load the register page again, which starts a new Streamlit session and signs the user
out (sign-in lives in the session). Here the SVG from :func:`ui.radar_svg.draw` (drawn `clickable`: each dot a
focusable `role="button"` group carrying its number in `data-blip`) is put in the page by a small script; a
click on a dot, or Enter or Space on a focused dot, sends that number back as the component's `open` trigger.
The page then switches to the register in this session (:func:`radar` returns the number for one run).

Public API only: `st.components.v2.component` (no iframe, no reload). The SVG is our own markup with every
text in it escaped by `draw` (html.escape), so placing it with innerHTML reads no feed text as HTML.
"""

from __future__ import annotations

import streamlit as st

NAME = "veille_radar"
TRIGGER = "open"

_CSS = """
:host { display: block; }
[data-blip] { cursor: pointer; }
[data-blip]:focus { outline: none; }
[data-blip]:focus-visible > circle:last-of-type,
[data-blip]:hover > circle:last-of-type { stroke: #1c2733; stroke-width: 3.5; }
"""

# called on every render with the latest data: the SVG is replaced only when it changed, and each dot's
# handlers are set by assignment (never added twice)
_JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let holder = parentElement.querySelector("div[data-veille-radar-holder]");
  if (!holder) {
    holder = document.createElement("div");
    holder.setAttribute("data-veille-radar-holder", "");
    parentElement.appendChild(holder);
  }
  const svg = (data && data.svg) || "";
  if (holder.veilleSvg !== svg) {
    holder.innerHTML = svg;
    holder.veilleSvg = svg;
  }
  const open = (dot) => setTriggerValue("open", Number(dot.getAttribute("data-blip")));
  holder.querySelectorAll("[data-blip]").forEach((dot) => {
    dot.onclick = (event) => { event.preventDefault(); open(dot); };
    dot.onkeydown = (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); open(dot); }
    };
  });
}
"""

_mount = st.components.v2.component(NAME, css=_CSS, js=_JS)


def _opened() -> None:
    """The trigger's callback: nothing to do before the rerun, the page reads the number from the result."""


def radar(svg: str, *, key: str = "veille_radar") -> int | None:
    """Draw `svg` (from ``draw(..., clickable=True)``); the number of the dot clicked or activated by the keyboard
    in the interaction that started this run, else None."""
    result = _mount(key=key, data={"svg": svg}, on_open_change=_opened)
    value = result.get(TRIGGER)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or value <= 0:
        return None
    return int(value)
