"""Radar rings/quadrants, new/moved markers, Build-Your-Own-Radar export and the import round trip."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from config import clock
from config.errors import PermissionDenied
from tests.plugins.app import editor_ctx, viewer_ctx
from ui.services import radar, tools
from watcher.db import open_store


@pytest.fixture
def ctx(populated_store):
    _, settings, store = populated_store
    return editor_ctx(settings, store)


def register_state(ctx, include_rejected=True):
    return {(c.name, c.status, c.quadrant, c.description) for c in tools.list_tools(ctx)
            if c.status != "signal" and (include_rejected or c.status != "rejected")}


def test_rings_and_quadrants(ctx):
    entries = {e.name: e for e in radar.radar_entries(ctx)}
    cards = {c.name: c for c in tools.list_tools(ctx)}
    for name, card in cards.items():
        if card.status == "signal":
            assert name not in entries  # not on the radar yet
        else:
            assert entries[name].ring == radar.STATUS_TO_RING[card.status]
    assert entries["VR safety simulation"].ring == "adopt"
    assert entries["Metaverse onboarding campus"].ring == "rejected"
    assert all(e.quadrant in tools.QUADRANTS for e in entries.values())
    assert "Metaverse onboarding campus" not in {e.name for e in radar.radar_entries(ctx, include_rejected=False)}


def test_quadrant_guessed_from_topics_when_unset(ctx):
    tools.add_tool(ctx, "Holo headset drills", note="x", description="virtual reality headset training",
                   status="assess")
    entry = next(e for e in radar.radar_entries(ctx) if e.name == "Holo headset drills")
    assert entry.quadrant == "Immersive (VR/AR/metaverse)"


@pytest.mark.dates
def test_new_and_moved_since(ctx):
    since = clock.today(ctx.settings.schedule.timezone)
    tools.set_status(ctx, "Generative-AI authoring", "trial", "3 modules drafted 40% faster, SMEs approved")
    tools.add_tool(ctx, "Skills graph", note="new", quadrant="Platforms, data & compliance", status="assess")
    entries = {e.name: e for e in radar.radar_entries(ctx, since=since)}
    assert entries["Generative-AI authoring"].moved and entries["Generative-AI authoring"].moved_from == "assess"
    assert not entries["Generative-AI authoring"].is_new
    assert entries["Skills graph"].is_new and not entries["Skills graph"].moved
    assert not entries["VR safety simulation"].is_new and not entries["VR safety simulation"].moved
    old = {e.name: e for e in radar.radar_entries(ctx, since=since - timedelta(days=400))}
    assert all(e.is_new for e in old.values())


def test_byor_csv_format(ctx):
    text = radar.export_byor(ctx, "csv", since=clock.today(ctx.settings.schedule.timezone) - timedelta(weeks=9))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["name", "ring", "quadrant", "isNew", "description"]
    assert {r["ring"] for r in rows} <= set(radar.RINGS)
    assert {r["isNew"] for r in rows} == {"TRUE", "FALSE"}
    data = json.loads(radar.export_byor(ctx, "json"))
    assert {d["name"] for d in data} == {r["name"] for r in rows}
    assert all(isinstance(d["isNew"], bool) for d in data)


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("include_rejected", [False, True])
def test_byor_export_reimports_to_the_same_register(ctx, tmp_path, fmt, include_rejected):
    exported = radar.export_byor(ctx, fmt, include_rejected=include_rejected)
    (tmp_path / "fresh").mkdir()
    fresh_store = open_store(tmp_path / "fresh" / "veille.db")
    try:
        fresh = editor_ctx(ctx.settings, fresh_store)
        result = radar.import_byor(fresh, exported, fmt, source=f"radar.{fmt}")
        assert result.errors == () and result.created == len(register_state(ctx, include_rejected))
        assert register_state(fresh) == register_state(ctx, include_rejected)
        assert radar.export_byor(fresh, fmt, include_rejected=include_rejected) == exported
        again = radar.import_byor(fresh, exported, fmt)
        assert (again.created, again.updated, again.unchanged) == (0, 0, result.created)
        history = tools.history(fresh, "VR safety simulation")
        assert history[0].rationale == f"Imported from radar file radar.{fmt}"
    finally:
        fresh_store.close()


def test_import_moves_existing_and_reports_bad_rows(ctx):
    text = ("name,ring,quadrant,isNew,description\n"
            "Generative-AI authoring,trial,AI & automation,FALSE,\"Drafting course outlines, quizzes and scripts "
            "with generative AI inside the authoring tool.\"\n"
            ",adopt,AI & automation,FALSE,no name\n"
            "Thing,orbit,AI & automation,FALSE,bad ring\n"
            "Other,adopt,Outer space,FALSE,bad quadrant\n"
            "Brand new,assess,Formats & pedagogy,TRUE,fresh\n")
    result = radar.import_byor(ctx, text, source="mixed.csv", rationale="quarterly review import")
    assert (result.created, result.updated) == (1, 1)
    assert len(result.errors) == 3 and all(e.startswith("mixed.csv: entry") for e in result.errors)
    assert tools.get_card(ctx, "Generative-AI authoring").status == "trial"
    assert tools.history(ctx, "Generative-AI authoring")[-1].rationale == "quarterly review import"


def test_import_needs_editor(populated_store):
    _, settings, store = populated_store
    with pytest.raises(PermissionDenied):
        radar.import_byor(viewer_ctx(settings, store), "name,ring,quadrant\nX,adopt,AI & automation\n")


def test_numbers_stay_with_the_entry_when_it_moves_and_signals_are_listed(ctx):
    """A dot's number is the register's id: moving an entry to another ring keeps it (and every other number);
    the SVG carries a legend for colours and markers and, drawn clickable, makes each dot a focusable button named
    by its tooltip (no link: a link would reload the page and sign the user out); signals are listed."""
    from ui.radar_svg import draw

    def drawn():
        entries = radar.radar_entries(ctx)
        quadrants = sorted({e.quadrant for e in entries})
        svg, blips = draw(entries, quadrants, {r: r.upper() for r in (*radar.RINGS, "rejected")},
                          {q: q for q in quadrants}, marker_labels={"new": "NEW", "moved": "MOVED"},
                          clickable=True)
        return svg, {b.name: b.number for b in blips}

    cards = {c.name: c for c in tools.list_tools(ctx)}
    svg, before = drawn()
    assert before == {name: c.id for name, c in cards.items() if c.status != "signal"}
    tools.set_status(ctx, "Generative-AI authoring", "trial", "3 modules drafted 40% faster, SMEs approved")
    svg, after = drawn()
    assert after == before  # the moved entry and all the others keep their numbers
    number = after["Generative-AI authoring"]
    assert (f'<g data-blip="{number}" role="button" tabindex="0" aria-label="{number}. Generative-AI authoring '
            '(TRIAL)"><title>' in svg)
    assert svg.count('role="button" tabindex="0"') == len(after) and "<a " not in svg
    plain, _ = draw(radar.radar_entries(ctx), sorted({e.quadrant for e in radar.radar_entries(ctx)}), {}, {})
    assert "tabindex" not in plain and 'role="button"' not in plain  # the printed briefing's radar: no buttons
    assert f">{number}</text>" in svg
    legend = svg[svg.index('data-testid="veille-radar-legend"'):]
    for word in ("ADOPT", "TRIAL", "ASSESS", "HOLD", "REJECTED", "NEW", "MOVED"):
        assert f">{word}</text>" in legend
    signals = radar.signals(ctx)
    assert {e.name for e in signals} == {n for n, c in cards.items() if c.status == "signal"} != set()
    assert all(e.number == cards[e.name].id and e.ring == "signal" for e in signals)
    assert not {e.name for e in signals} & set(after)  # listed, not drawn
    assert radar.export_csv(ctx).splitlines()[0] == "name,ring,quadrant,isNew,description"  # export unchanged
