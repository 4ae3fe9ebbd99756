"""What an article says about a tool, read from its words, in English and French: its stance (promotional,
neutral, critical) with the phrases that decided it, the quantified claims it makes, quoted, and the strongest
evidence it reports (LTEM tier and Kirkpatrick level).

Rules, not a model: the DLM must see why an article is called critical (the cues are returned) and can correct
it (the correction is stored and wins). The cue lists are data, in scoring/stance.toml.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CUES_FILE = Path(__file__).with_name("stance.toml")
STANCES = ("promotional", "neutral", "critical")


@dataclass(frozen=True)
class Evidence:
    key: str  # meta-analysis | controlled | pilot | satisfaction | completion
    ltem: int  # LTEM tier (1 attendance … 8 effects of transfer); the cue's usual tier
    kirkpatrick: int  # Kirkpatrick level (1 reaction … 4 results)
    cue: str  # the phrase found


@dataclass(frozen=True)
class Reading:
    stance: str
    cues: tuple[str, ...]  # the phrases that decided the stance, as written in the text
    claims: tuple[str, ...]  # quantified claims, quoted from the text
    evidence: Evidence | None


def fold(text: str) -> str:
    """Lower case without accents, apostrophes unified: the form cues are matched in."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("\u00a0", " ").replace("\u202f", " "))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=1)
def _cues() -> dict:
    data = tomllib.loads(CUES_FILE.read_text(encoding="utf-8"))
    compiled: dict = {}
    for side in ("promotional", "critical", "hedge", "candour"):
        compiled[side] = [_phrase(p) for p in data[side]["phrases"]]
    compiled["negators"] = [_phrase(p) for p in data["negation"]["phrases"]]
    compiled["evidence"] = [(key, int(v["ltem"]), int(v["kirkpatrick"]), [_phrase(p) for p in v["phrases"]])
                            for key, v in data["evidence"].items()]
    return compiled


def _phrase(p: str) -> re.Pattern:
    """A cue phrase as a pattern on folded text: whole words, `*` = any word ending."""
    parts = [re.escape(w).replace(r"\*", r"\w*") for w in fold(p).split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)")


def _found(patterns: list[re.Pattern], folded: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for p in patterns for m in p.finditer(folded)]


def _negated(folded: str, start: int, negators: list[re.Pattern]) -> bool:
    """A promotional cue right after a negation ("not a game-changer", "pas révolutionnaire") is not praise."""
    window = folded[max(0, start - 14):start]
    return any(p.search(window) for p in negators)


# --- quantified claims -------------------------------------------------------------------------------------

_NUMBER = r"(?:\d+(?:[.,]\d+)?|one|two|three|four|five|ten|deux|trois|quatre|cinq|dix)"
_CLAIM = re.compile(
    r"""(?ix)
      [+\-−]?\s?\d+(?:[.,]\d+)?\s?(?:%|\s?pts?\b|\s?points?\b)            # 40%, +35 %, 12 points
    | \b\d+(?:[.,]\d+)?\s?(?:x|×)(?!\w)                                 # 3x, 2×
    | \b""" + _NUMBER + r"""\s+(?:times|fois)\b                         # three times, deux fois
    | \b(?:halv\w*|doubl\w*|tripl\w*|quadrupl\w*|in\s+half|de\s+moiti[eé]|par\s+deux|par\s+trois|la\s+moiti[eé])\b
    | [€$£]\s?\d+(?:[.,]\d+)?\s?(?:k|m|bn|million\w*|billion\w*)?\b      # €2 million, $500k
    | \b\d+(?:[.,]\d+)?\s?(?:k|m|bn|millions?|milliards?)?\s?(?:€|euros?|dollars?)
    """
)
_CLAUSE_END = re.compile(r"[.;!?](?:\s|$)|\s[–—-]\s|\n")


def claims(text: str) -> tuple[str, ...]:
    """The clauses of `text` that make a quantified claim ("cuts onboarding time by 40%", "réduit de moitié
    le temps de formation"), quoted as written: from the clause start (a sentence or comma) to its end."""
    out: list[str] = []
    for m in _CLAIM.finditer(text):
        start = max(text.rfind(". ", 0, m.start()), text.rfind("; ", 0, m.start()), text.rfind(": ", 0, m.start()))
        comma = text.rfind(", ", 0, m.start())
        if comma > start and m.start() - comma > 12:
            start = comma
        start = 0 if start < 0 else start + 2
        end_match = _CLAUSE_END.search(text, m.end())
        end = end_match.start() if end_match else len(text)
        comma_after = text.find(", ", m.end())
        if 0 <= comma_after < end and comma_after - m.end() > 12:
            end = comma_after
        quote = text[start:end].strip().strip("«»\"“”").strip()
        if quote and not any(quote in q or q in quote for q in out) and not _is_date(m.group(0), text, m):
            out.append(quote)
    return tuple(out)


def _is_date(found: str, text: str, m: re.Match) -> bool:
    """A year or a day number is not a claim ("in 2026", "on 12 May")."""
    return bool(re.fullmatch(r"\d{4}", found.strip())) or bool(re.match(r"\s?(?:19|20)\d\d\b", text[m.start():]))


# --- the reading ------------------------------------------------------------------------------------------


def read(title: str, summary: str, *, vendor: bool = False) -> Reading:
    """The stance, cues, claims and evidence of one article.

    Praise and criticism are counted from the cue lists; a cue inside a quantified claim ("cuts drop-outs by 30%")
    is the claim's, not criticism; praise right after a negation ("not a game-changer") only tempers. A vendor
    writing about its product leans promotional unless it owns up to a limit; a result with both a measured gain
    and a criticism is mixed, so neutral.
    """
    text = f"{title}. {summary}".strip()
    folded = fold(text)
    c = _cues()
    quoted = claims(text)
    starts = [(folded.find(fold(q)), len(q)) for q in quoted]
    claim_spans = [(at, at + n) for at, n in starts if at >= 0]

    def outside(spans):
        return [(s, e) for s, e in spans if not any(a <= s < b for a, b in claim_spans)]
    praise = _found(c["promotional"], folded)
    promotional = [(s, e) for s, e in praise if not _negated(folded, s, c["negators"])]
    hedges = _found(c["hedge"], folded) + [(s, e) for s, e in praise if _negated(folded, s, c["negators"])]
    critical = outside(_found(c["critical"], folded))
    candour = _found(c["candour"], folded) if vendor else []
    evidence = _evidence(folded, text, c["evidence"])
    score = 1.0 * len(promotional) - 1.5 * len(critical) - 0.5 * len(hedges)
    if vendor and not candour:
        score += 1.5
    if quoted and not critical:
        score += 0.75 * min(2, len(quoted))
    mixed = bool(critical) and bool(quoted) and not vendor and len(critical) <= 1
    if candour:
        stance, decided = "neutral", candour
    elif critical and score < 0 and not mixed:
        stance, decided = "critical", critical
    elif score >= 1.5 and not (critical and len(critical) * 1.5 >= len(promotional)):
        stance, decided = "promotional", promotional
    else:
        stance, decided = "neutral", hedges + critical + promotional
    same = len(text) == len(folded)
    cues = tuple(dict.fromkeys(text[s:e] if same else folded[s:e] for s, e in sorted(decided)))
    return Reading(stance, cues, quoted, evidence)


def _evidence(folded: str, text: str, table) -> Evidence | None:
    best: Evidence | None = None
    for key, ltem, kirkpatrick, patterns in table:
        spans = _found(patterns, folded)
        if spans and (best is None or ltem > best.ltem):
            s, e = spans[0]
            best = Evidence(key, ltem, kirkpatrick, text[s:e] if len(text) == len(folded) else folded[s:e])
    return best
