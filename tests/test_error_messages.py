"""Service errors in the reader's language (issue 12): every error a page can show carries a catalogue key.

The source of the services, ui/auth.py and the store and scoring functions the pages call is read (ast): a
`raise SomeError(...)` of the veille hierarchy without `key=` fails, and so does a key missing from the
catalogue, a French text empty or equal to the English, or values that do not match the templates'
placeholders. The CLI keeps its English line (`str(exc)`), the app words the same error through the catalogue.
"""

from __future__ import annotations

import ast
import inspect
import re
import string
from pathlib import Path

import pytest

import config.errors as errors
from config.errors import NotFoundError, Term, ValidationError, VeilleError, terms
from ui import i18n

ROOT = Path(__file__).resolve().parents[1]
# what a page reaches: the service layer and sign-in, and the store/scoring functions the services call
SOURCES = (
    *sorted((ROOT / "ui" / "services").glob("*.py")),
    ROOT / "ui" / "auth.py",
    ROOT / "watcher" / "store" / "feeds.py",
    ROOT / "watcher" / "opml.py",
    ROOT / "scoring" / "profiles.py",
    ROOT / "scoring" / "feedback.py",
    # a feed's test fetch on the Sources page: why it was not added
    ROOT / "watcher" / "fetcher.py",
    ROOT / "watcher" / "netguard.py",
    ROOT / "watcher" / "parser.py",
    ROOT / "watcher" / "jsonfeed.py",
    ROOT / "watcher" / "feedbytes.py",
    # a background rescoring started from the profiles page loads the model
    ROOT / "scoring" / "model.py",
    # the database path, said on the app's first line when it cannot be opened
    ROOT / "watcher" / "db.py",
)
VEILLE_ERRORS = {name for name, obj in inspect.getmembers(errors, inspect.isclass) if issubclass(obj, VeilleError)}


def raises(path: Path) -> list[tuple[int, str, ast.Call]]:
    """(line, error class, call) of every `raise X(...)` of a veille error in `path`, and of every `return X(...)`
    (a helper building the error its caller raises)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        call = node.exc if isinstance(node, ast.Raise) else node.value if isinstance(node, ast.Return) else None
        if isinstance(call, ast.Call):
            func = call.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in VEILLE_ERRORS:
                out.append((node.lineno, name, call))
    return out


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_the_walk_finds_the_raises_it_judges():
    """The walk itself can fail: a raise without a key is reported, and the services hold dozens of raises."""
    unkeyed = ast.parse('raise ValidationError(f"x {y}")\nraise KeyError("not ours")\n')
    found = [n for n in ast.walk(unkeyed) if isinstance(n, ast.Raise)]
    assert len(found) == 2
    sample = ROOT / "tests" / "data" / "_unkeyed_sample.py"
    try:
        sample.write_text('raise ValidationError(f"x {y}")\nraise KeyError("not ours")\n', encoding="utf-8")
        [(line, name, call)] = raises(sample)
        assert (line, name) == (1, "ValidationError") and not [k for k in call.keywords if k.arg == "key"]
    finally:
        sample.unlink(missing_ok=True)
    assert sum(len(raises(p)) for p in SOURCES) > 80


def test_every_error_a_page_can_show_has_a_key_in_the_catalogue():
    problems = []
    for path in SOURCES:
        where = path.relative_to(ROOT)
        for line, name, call in raises(path):
            key = next((k.value for k in call.keywords if k.arg == "key"), None)
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                problems.append(f"{where}:{line}: raise {name}(...) has no key=")
                continue
            pair = i18n.STRINGS.get(key.value)
            if pair is None:
                problems.append(f"{where}:{line}: key {key.value!r} is not in ui/i18n.py")
                continue
            en, fr = pair
            if not fr.strip() or fr == en:
                problems.append(f"{where}:{line}: key {key.value!r} has no French of its own")
            own = set(inspect.signature(getattr(errors, name)).parameters) - {"key", "params"}  # status, retry_after
            given = {k.arg for k in call.keywords if k.arg not in (None, "key") and k.arg not in own}
            if placeholders(en) != given or placeholders(fr) != given:
                problems.append(f"{where}:{line}: {key.value!r} is given {sorted(given)}, its templates use "
                                f"{sorted(placeholders(en))} / {sorted(placeholders(fr))}")
    assert not problems, "\n".join(problems)


def test_every_term_an_error_gives_is_worded_in_both_languages():
    """Codes given as Term(prefix, code) read in words: every `term.*` key has its own French (a few are the
    same word in both languages: Note, DPIA are checked to be in the catalogue only)."""
    term_keys = [k for k in i18n.STRINGS if k.startswith("term.")]
    assert {"term.criterion.evidence", "term.field.rationale", "term.need.owner"} <= set(term_keys)
    same = [k for k in term_keys if i18n.STRINGS[k][0] == i18n.STRINGS[k][1]]
    assert same == ["term.field.note"], same


def test_the_cli_line_stays_english_and_the_app_words_it_in_french():
    from ui.services.statuses import TRANSITIONS

    exc = ValidationError("tool 'Holo': cannot go from signal to adopted (allowed: assess, hold, rejected)",
                          key="err.tool.transition", tool="Holo [x](https://e.test)", current=Term("status", "signal"),
                          status=Term("status", "adopted"), allowed=terms("status", TRANSITIONS["signal"]))
    assert str(exc) == "tool 'Holo': cannot go from signal to adopted (allowed: assess, hold, rejected)"
    from ui.safe import md

    fr = i18n.error_text(exc, "fr", escape=md)
    assert fr == ("«\u00a0Holo \\[x\\]\\(https\\:\u2060\\/\\/e\\.test\\)\u00a0» ne peut pas passer de Signal à Adopté "
                  "(possibles\u00a0: Évaluation, En attente, Rejeté)")
    assert i18n.error_text(exc, "en") == ("“Holo [x](https://e.test)” cannot go from Signal to Adopted "
                                          "(allowed: Assess, Hold, Rejected)")
    # an error without a message, or with a key the catalogue lacks, shows its English line (escaped)
    assert i18n.error_text(NotFoundError("gone: a*b"), "fr", escape=md) == md("gone: a*b")
    assert i18n.error_text(NotFoundError("gone", key="err.nowhere"), "fr") == "gone"


def test_the_message_survives_a_process_boundary():
    import pickle

    from config.errors import CrawlBusyError, FetchError

    exc = pickle.loads(pickle.dumps(ValidationError("x", key="err.feed.exists", url="https://a.test/f")))
    assert str(exc) == "x" and exc.message is not None and exc.message.key == "err.feed.exists"
    busy = pickle.loads(pickle.dumps(CrawlBusyError(42)))
    assert busy.pid == 42 and str(busy) == "another crawl is running (pid 42), skipped"
    fetch = pickle.loads(pickle.dumps(FetchError("HTTP 404", status=404)))
    assert fetch.status == 404 and fetch.message is None


@pytest.mark.parametrize("call", [
    lambda ctx: __import__("ui.services.tools", fromlist=["x"]).set_status(ctx, "Nowhere Tool", "assess", "why"),
    lambda ctx: __import__("ui.services.sources", fromlist=["x"]).add_checked_feed(ctx, "ftp://x.test/feed"),
    lambda ctx: __import__("ui.services.profiles", fromlist=["x"]).save_profile(ctx, "frontline", name="F",
                                                                                 interests=[], rescore=False),
])
def test_real_refusals_keep_their_cli_english_and_carry_a_french_message(populated_store, call):
    from tests.plugins.app import editor_ctx
    from ui.safe import md

    _path, settings, store = populated_store
    with pytest.raises(VeilleError) as info:
        call(editor_ctx(settings, store))
    exc = info.value
    assert exc.message is not None
    english_line = str(exc)
    assert re.search(r"not in the register|http\(s\) URL|at least one interest", english_line)
    fr = i18n.error_text(exc, "fr", escape=md)
    assert fr and fr != md(english_line) and "\u00a0" in fr


def test_a_radar_file_s_refused_rows_read_in_french(populated_store):
    """Rows refused one by one keep their English line (the CLI's) and a message per row; a row the register
    refuses carries the register's own reason inside it."""
    from tests.plugins.app import editor_ctx
    from tests.test_french_complete import english_in, strip_data
    from ui.services import radar

    _path, settings, store = populated_store
    text = ("name,ring,quadrant,isNew,description\n"
            ",adopt,,TRUE,no name\n"
            "Holo Coach,sideways,,TRUE,bad ring\n"
            "Quiz Forge,adopt,Somewhere else,TRUE,bad quadrant\n")
    result = radar.import_byor(editor_ctx(settings, store), text, fmt="csv", source="team.csv")
    assert result.errors == (
        "team.csv: entry 1: empty name",
        "team.csv: entry 2 (Holo Coach): unknown ring 'sideways' (expected adopt, trial, assess, hold, rejected)",
        "team.csv: entry 3 (Quiz Forge): unknown quadrant 'Somewhere else'",
    )
    assert len(result.problems) == len(result.errors)
    french = [i18n.message_text(p, "fr") for p in result.problems]
    assert french[0] == "team.csv, entrée 1\u00a0: nom vide"
    assert french[1] == ("team.csv, entrée 2 (Holo Coach)\u00a0: anneau inconnu «\u00a0sideways\u00a0» "
                         "(au choix\u00a0: Adopté, Essai, Évaluation, En attente, Rejeté)")
    for line in french:
        shown = strip_data(line, ["team.csv", "Holo Coach", "Quiz Forge", "Somewhere else", "sideways"])
        assert english_in(shown) == [], (line, english_in(shown))
    assert i18n.message_text(result.problems[0], "en") == result.errors[0]


def test_a_reason_inside_a_reason_is_worded_and_escaped_once():
    from config.errors import Message
    from ui.safe import md

    inner = Message("err.tool.exists", {"tool": "A*B"})
    outer = Message("err.radar.row_refused", {"source": "x.csv", "entry": 4, "name": "A*B", "reason": inner})
    assert i18n.message_text(outer, "fr", md) == ("x\\.csv, entrée 4 (A\\*B)\u00a0: «\u00a0A\\*B\u00a0» est déjà dans "
                                                  "le registre")


def test_an_opml_file_s_refused_outlines_read_in_french(populated_store):
    from tests.plugins.app import editor_ctx
    from tests.test_french_complete import english_in, strip_data
    from ui.services import sources

    _path, settings, store = populated_store
    opml = (b'<?xml version="1.0"?><opml version="2.0" xmlns:veille="https://veille.invalid/opml"><body>'
            b'<outline text="Odd" xmlUrl="https://odd.example.org/feed" veille:kind="gossip"/>'
            b'<outline text="Bad" xmlUrl="ftp://bad.example.org/feed"/>'
            b'</body></opml>')
    result = sources.import_opml(editor_ctx(settings, store), opml, "team.opml")
    assert len(result.problems) == len(result.errors) >= 1, result
    assert result.errors[0] == ("team.opml: https://odd.example.org/feed: kind 'gossip' is not a kind of source "
                                "(one of research, practitioner, vendor, press, regulator, unknown); added as unknown")
    french = [i18n.message_text(p, "fr") for p in result.problems]
    assert french[0].startswith("team.opml\u00a0: https://odd.example.org/feed\u00a0: «\u00a0gossip\u00a0» n'est pas "
                                "un type de source (au choix\u00a0: recherche, praticien"), french
    for line in french:
        shown = strip_data(line, ["team.opml", "gossip", "ftp://bad.example.org/feed"])
        assert english_in(shown) == [], (line, english_in(shown))
