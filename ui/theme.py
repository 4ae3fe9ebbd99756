"""The app's look: passed to `streamlit run` as --theme.* options, and colours shared by the charts."""

from __future__ import annotations

from ui.services.statuses import RING_TO_STATUS

THEME: dict[str, str] = {
    "base": "light",
    "primaryColor": "#1f5f8b",
    "backgroundColor": "#ffffff",
    "secondaryBackgroundColor": "#f2f5f8",
    "textColor": "#1c2733",
}

# one colour per status/ring, readable on white and distinguishable by people with colour-vision deficiency
STATUS_COLORS: dict[str, str] = {
    "signal": "#7f7f7f",
    "assess": "#e69f00",
    "trial": "#56b4e9",
    "adopted": "#009e73",
    "hold": "#cc79a7",
    "rejected": "#d55e00",
}

RING_COLORS: dict[str, str] = {ring: STATUS_COLORS[status] for ring, status in RING_TO_STATUS.items()}
