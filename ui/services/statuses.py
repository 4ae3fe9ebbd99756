"""The register's statuses, defined once: their order, their English and French labels, the allowed moves and
the radar ring each one is drawn in. The register, the radar, the app's labels, the email digest, the veille log
and the CLI's choices all read them from here.

Status lifecycle (a decision always needs a rationale; history is append-only, enforced by SQL triggers):

    signal  -> assess | hold | rejected            a new, unreviewed name worth a look
    assess  -> trial | adopted | hold | rejected   being examined on paper (evidence, scorecard)
    trial   -> adopted | hold | rejected | assess  piloted with real learners
    adopted -> hold | assess | rejected            in use; can be re-assessed or retired
    hold    -> assess | trial | rejected           parked: not now, revisit later
    rejected -> assess                             reopened only through a new assessment

Moving to a status of `GATED` (trial, adopted) is refused while a knock-out criterion of the scorecard scores 0.
"""

from __future__ import annotations

STATUSES: tuple[str, ...] = ("signal", "assess", "trial", "adopted", "rejected", "hold")  # the register's lanes
INITIAL = "signal"  # a new entry's status unless told otherwise

# (English, French): one vocabulary everywhere (app, digest, veille log)
LABELS: dict[str, tuple[str, str]] = {
    "signal": ("Signal", "Signal"),
    "assess": ("Assess", "Évaluation"),
    "trial": ("Trial", "Essai"),
    "adopted": ("Adopted", "Adopté"),
    "rejected": ("Rejected", "Rejeté"),
    "hold": ("Hold", "En attente"),
}

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "signal": ("assess", "hold", "rejected"),
    "assess": ("trial", "adopted", "hold", "rejected"),
    "trial": ("adopted", "hold", "rejected", "assess"),
    "adopted": ("hold", "assess", "rejected"),
    "hold": ("assess", "trial", "rejected"),
    "rejected": ("assess",),
}
GATED: tuple[str, ...] = ("trial", "adopted")  # refused while a knock-out criterion scores 0

# The radar: rings from the centre out; rejected entries sit outside them; signals are not drawn.
RINGS: tuple[str, ...] = ("adopt", "trial", "assess", "hold")
OUTSIDE = "rejected"
STATUS_TO_RING: dict[str, str] = {"adopted": "adopt", "trial": "trial", "assess": "assess", "hold": "hold",
                                  "rejected": OUTSIDE}
RING_TO_STATUS: dict[str, str] = {ring: status for status, ring in STATUS_TO_RING.items()}


def label(status: str | None, language: str = "en") -> str:
    """The status in words, in English or French; an unknown value is shown as it is."""
    pair = LABELS.get(status or "")
    if pair is None:
        return status or ""
    return pair[1] if language == "fr" else pair[0]
