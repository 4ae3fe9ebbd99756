"""What an article says about a tool, read from its words, in English and French: its stance (promotional,
neutral, critical) with the phrases that decided it, the quantified claims it makes, quoted, and the strongest
evidence it reports (LTEM tier and Kirkpatrick level).

Rules first: the DLM must see why an article is called critical (the cues are returned) and can correct it (the
correction is stored and wins). The cue lists are data, in scoring/stance.toml. The dossier adds a learned reading
of the article's vector beside them (scoring.stance_model), named when it decides.
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
    for side in ("promotional", "critical", "independent", "hedge", "candour", "balanced", "refutation"):
        compiled[side] = [_phrase(p) for p in data[side]["phrases"]]
    compiled["negators"] = [_phrase(p) for p in data["negation"]["phrases"]]
    null = data["null_result"]
    before = "|".join(_body(p) + ("" if p.endswith("'") else r"\s+") for p in null["before"])
    nouns = "|".join(_body(p) for p in null["nouns"])
    compiled["null_result"] = [re.compile(rf"(?<!\w)(?:{before})(?:\w+\s+){{0,{int(null['gap'])}}}(?:{nouns})(?!\w)")]
    words = "|".join(_body(p) for p in data["irony"]["phrases"])
    compiled["irony"] = re.compile(rf"(?:^|[.!?:;]\s+)(?:{words})\s*[,!:]")
    compiled["adversative"] = [_phrase(p) for p in data["contrast"]["adversative"]]
    compiled["concessive"] = [_phrase(p) for p in data["contrast"]["concessive"]]
    compiled["quantities"] = {k: [_phrase(p) for p in v] for k, v in data["quantities"].items()}
    compiled["evidence"] = [(key, int(v["ltem"]), int(v["kirkpatrick"]), [_phrase(p) for p in v["phrases"]])
                            for key, v in data["evidence"].items()]
    return compiled


def _body(p: str) -> str:
    return r"\s+".join(re.escape(w).replace(r"\*", r"\w*") for w in fold(p).split())


def _phrase(p: str) -> re.Pattern:
    """A cue phrase as a pattern on folded text: whole words, `*` = any word ending; a phrase ending in an
    apostrophe ("personne n'") runs into the next word."""
    return re.compile(r"(?<!\w)" + _body(p) + ("" if p.endswith("'") else r"(?!\w)"))


def _found(patterns: list[re.Pattern], folded: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for p in patterns for m in p.finditer(folded)]


_BOUNDARY = re.compile(r"[,.;:!?()«»\"“”]")
_FR_AFTER = re.compile(r"\s+(?:pas|plus|jamais|guere|point)(?!\w)")


def _negated(folded: str, start: int, end: int, negators: list[re.Pattern]) -> bool:
    """A cue within the scope of a negation: one of the three words before it in the same clause ("not a
    game-changer", "n'est pas la révolution", "l'absence de sanctions"), or French "ne … pas" around it
    ("ne transforme pas")."""
    before = folded[max(0, start - 40):start]
    cut = max((m.end() for m in _BOUNDARY.finditer(before)), default=0)
    window = " ".join(before[cut:].split()[-3:])
    if any(p.search(window) for p in negators):
        return True
    return bool(re.search(r"(?<!\w)(?:ne|n')\s*$", before)) and bool(_FR_AFTER.match(folded, end))


def _conceded(folded: str, c: dict) -> list[tuple[int, int]]:
    """The spans a contrast concedes: a sentence's part before "but"/"mais"/"however" (not the part after), and
    what "although"/"même si" introduces, up to the next comma or the sentence end."""
    spans = []
    for sentence in re.finditer(r"[^.!?;]+", folded):
        s0, s1 = sentence.span()
        for a, b in _found(c["adversative"], folded[s0:s1]):
            if folded[s0:s0 + a].strip(" ,:") and not re.match(r"\s+(?:also|aussi|egalement)\b", folded[s0 + b:s1]):
                spans.append((s0, s0 + a))
        for a, b in _found(c["concessive"], folded[s0:s1]):
            comma = folded.find(",", s0 + b, s1)
            spans.append((s0 + a, comma if comma >= 0 else s1))
    return spans


# --- quantified claims -------------------------------------------------------------------------------------

_NUMBER = r"(?:\d+(?:[.,]\d+)?|one|two|three|four|five|ten|deux|trois|quatre|cinq|dix)"
_TIME = (r"(?:seconds?|secondes?|minutes?|mins?|hours?|heures?|days?|jours?|weeks?|semaines?|months?|mois|years?"
         r"|ans|ann[ée]es?)")
_WORDS = (r"two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|deux|trois|quatre|cinq|sept|huit|neuf|dix"
          r"|douze|vingt")  # number words, English and French ("six" is both)
_COUNT = rf"(?:\d+(?:[.,]\d+)?|a|one|un|une|{_WORDS})"
# the second number of a share: "one in five", not "une formation sur deux jours"
_SMALL = rf"(?:\d{{1,2}}|{_WORDS})(?![\d.,]?\d)(?!\s+{_TIME}\b)"
_CLAIM = re.compile(
    r"""(?ix)
      [+\-−]?\s?\d+(?:[.,]\d+)?\s?(?:%|\s?pts?\b|\s?points?\b)            # 40%, +35 %, 12 points
    | \b\d+(?:[.,]\d+)?\s?(?:x|×)(?!\w)                                 # 3x, 2×
    | \b""" + _NUMBER + r"""\s+(?:times|fois)\b                         # three times, deux fois
    | \b(?:halv\w*|doubl\w*|tripl\w*|quadrupl\w*|in\s+half|de\s+moiti[eé]|par\s+deux|par\s+trois|la\s+moiti[eé])\b
    | [€$£]\s?\d+(?:[.,]\d+)?\s?(?:k|m|bn|million\w*|billion\w*)?\b      # €2 million, $500k
    | \b\d+(?:[.,]\d+)?\s?(?:k|m|bn|millions?|milliards?)?\s?(?:d['’]\s?)?(?:€|euros?|dollars?)
    | \b(?:under|less\s+than|moins\s+de)\s+""" + _COUNT + r"""\s+""" + _TIME + r"""        # in under 10 seconds
    | \b""" + _COUNT + r"""\s+""" + _TIME + r"""\s+(?:less|fewer|earlier|sooner|faster|instead\s+of|rather\s+than
        |plus\s+t[oô]t|de\s+moins|en\s+moins|au\s+lieu\s+d[eu']|per|par|a\s+(?:day|week|call)|each)\b
                                                                        # 2 heures au lieu de 2 jours, 25 s par appel
    | \b(?:by\s+)?(?:a|one)\s+(?:third|quarter|fifth)\b | \bone\s+(?:\w+\s+)?in\s+""" + _SMALL + r"""\b  # one in five
    | \b(?:un|d['’]un)\s+(?:tiers|quart|cinqui[eè]me)\b | \b(?:un|une)\s+(?:\w+\s+)?sur\s+""" + _SMALL + r"""\b
    | \b\d+(?:[.,]\d+)?\s?(?:/|out\s+of|sur)\s?\d+\b(?<!24/7)(?<!7\ssur\s7)              # 4,6 sur 5, 9 out of 10
    | (?<!auprès\sde\s)(?<!\bof\s)(?<!among\s)(?<!parmi\s)(?<!\bsur\s)(?<![\w.,])           # 12,000 seats, 40 agences
      (?:\d{1,3}(?:[\u00a0\u202f\s.,]\d{3})+|\d{2,})(?![\d.,]?\d)\s+(?-i:[A-Z]{2,}\s+)?
      (?!""" + _TIME + r"""\b)[^\W\d_]{3,}[sx]\b                         # a plural noun after the figure
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
        quote = _unquoted(text[start:end])
        if not quote or _is_date(m.group(0), text, m) or any(quote in q for q in out):
            continue
        out = [q for q in out if q not in quote]  # a longer clause holding an earlier quote replaces it
        out.append(quote)
    return tuple(out)


_PAIRS = {"«": "»", "“": "”", '"': '"'}


def _unquoted(clause: str) -> str:
    """The clause without the quotation marks around it, keeping those it opens and closes itself
    ("87 % jugent les commentaires « utiles »")."""
    quote = clause.strip()
    while quote and quote[0] in _PAIRS and _PAIRS[quote[0]] not in quote[1:]:
        quote = quote[1:].strip()
    while quote and quote[-1] in _PAIRS.values() and not any(
            o in quote[:-1] for o, c in _PAIRS.items() if c == quote[-1] and (o != c or quote[:-1].count(o) % 2)):
        quote = quote[:-1].strip()
    return quote


def _is_date(found: str, text: str, m: re.Match) -> bool:
    """A year or a day number is not a claim ("in 2026", "on 12 May")."""
    return bool(re.fullmatch(r"\d{4}", found.strip())) or bool(re.match(r"\s?(?:19|20)\d\d\b", text[m.start():]))


# --- the reading ------------------------------------------------------------------------------------------


def _number(text: str) -> float:
    """"5,000" and "5.000" are thousands, "4,2" and "0.31" decimals."""
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", text):
        return float(re.sub(r"[.,]", "", text))
    return float(text.replace(",", "."))


def _sense(claim: str, q: dict, negators: list[re.Pattern]) -> int:
    """The direction of a quantified claim (folded): +1 a gain (a measure of learning or use that rose, a cost or
    error rate that fell, "saved", "faster"), -1 a loss (completion that fell, "only 41% … versus 80%", errors
    that rose), 0 when it cannot be told. A negated direction word ("did not reduce") says nothing."""
    words: list[tuple[int, int, str]] = []  # the longest direction phrase wins ("plus court" over "plus")
    for s, e, key in sorted(((s, e, k) for k in ("up", "down", "low", "gain") for s, e in _found(q[k], claim)),
                            key=lambda x: (x[0], -x[1])):
        if not any(s < b and a < e for a, b, _k in words):
            words.append((s, e, key))
    words = [(s, e, k) for s, e, k in words if not _negated(claim, s, e, negators)]
    moves = [(s, 1 if k == "up" else -1) for s, _e, k in words if k != "gain"]
    moves += [(m.start(), 1) for m in re.finditer(r"\+\s?\d", claim)]
    number = r"(\d+(?:[.,]\d+)*)\s?%?"
    for m in re.finditer(rf"(?<!\w)(?:from|de)\s+{number}(?:\s+\S+){{0,6}}?\s+(?:to|a)\s+{number}", claim):
        a, b = (_number(x) for x in m.groups())
        moves.append((m.start(), (b > a) - (b < a)))
    versus = r"(?:versus|vs\.?|against|compared with|contre|au lieu de|instead of)"
    for m in re.finditer(rf"{number}(?:\s+\S+){{0,6}}?\s+{versus}\s+{number}", claim):
        a, b = (_number(x) for x in m.groups())
        moves.append((m.start(), (a > b) - (a < b)))
    measures = [(s, 1) for s, _e in _found(q["good"], claim)] + [(s, -1) for s, _e in _found(q["bad"], claim)]
    senses = {1 for _s, _e, k in words if k == "gain"}
    if not measures and re.search(r"\+\s?\d", claim):
        senses.add(1)  # "+12 %" of something unnamed: a gain as written
    for at, direction in moves:
        if direction and measures:
            polarity = min(measures, key=lambda m: abs(m[0] - at))[1]
            senses.add(direction * polarity)
    return 1 if senses == {1} else -1 if senses == {-1} else 0


def read(title: str, summary: str, *, vendor: bool = False) -> Reading:
    """The stance, cues, claims and evidence of one article.

    Praise and criticism are weighed from the cue lists (scoring/stance.toml). Criticism is also a null result
    ("no reliable effect", "aucun gain"), praise under a negation in an independent article ("not a
    game-changer", "pas la révolution promise"), a word of praise opening a sentence in irony ("Formidable, …"),
    and a quantified claim that reads as a loss ("completion fell from 70% to 12%"): that claim is quoted as the
    cue. A criticism under a negation ("l'absence de sanctions") is none, and a critical word inside a claimed gain
    is the claim's measure ("2 millions d'euros d'amendes évités"). What a contrast concedes ("X, but …",
    "although …") weighs half. A vendor writing about its product leans promotional unless it owns up to a limit;
    praise or a measured gain beside a single criticism is mixed, so neutral, and so is the author's own balanced
    verdict ("bilan mitigé") unless the criticism weighs two cues or more.
    """
    text = f"{title}. {summary}".strip()
    folded = fold(text)
    c = _cues()
    negators = c["negators"]
    quoted = claims(text)
    found_claims = []
    for q in quoted:
        at = folded.find(fold(q))
        if at >= 0:
            span = (at, at + len(fold(q)))
            found_claims.append((span, _sense(folded[span[0]:span[1]], c["quantities"], negators)))
    conceded = _conceded(folded, c)

    def weight(span: tuple[int, int]) -> float:
        return 0.5 if any(a <= span[0] < b for a, b in conceded) else 1.0

    measures = _found(c["quantities"]["bad"], folded)
    praise = _found(c["promotional"], folded)
    promotional = [p for p in praise if not _negated(folded, *p, negators)]
    negated_praise = [p for p in praise if p not in promotional]
    hedges = _found(c["hedge"], folded) + (negated_praise if vendor else [])
    critical: list[tuple[int, int]] = []
    phrases = _found(c["critical"], folded) + _found(c["null_result"], folded)
    phrases += [] if vendor else _found(c["independent"], folded)
    for s, e in sorted(phrases, key=lambda x: (x[0], -x[1])):
        if _negated(folded, s, e, negators) or any(s < b and a < e for a, b in critical):
            continue
        owner = next(((span, sense) for span, sense in found_claims if span[0] <= s < span[1]), None)
        if owner and owner[1] > 0 and any(ms <= s < me or s <= ms < e for ms, me in measures):
            continue  # the measure of a claimed gain ("amendes évités", "fewer errors")
        critical.append((s, e))
    if not vendor:
        critical += negated_praise + [(m.end() - len(m.group(0).lstrip(".!?:; ")), m.end() - 1)
                                      for m in c["irony"].finditer(folded)]

    refutations = _found(c["refutation"], folded)

    def disputed(span: tuple[int, int]) -> bool:
        """A claimed gain disputed by the article: a refutation inside it ("the 3x faster claim unsupported"), or a
        criticism before its figure, in its scope ("no reliable gain in performance, 3x faster")."""
        figure = _CLAIM.search(folded, span[0], span[1])
        at = figure.start() if figure else span[1]
        return (any(span[0] <= s < span[1] for s, _e in refutations)
                or any(span[0] <= s < at for s, _e in critical))
    gains = [span for span, sense in found_claims if sense > 0 and not disputed(span)]
    losses = [span for span, sense in found_claims if sense < 0]
    critical = [x for x in critical if not any(a <= x[0] < b for a, b in losses)] + losses
    candour = _found(c["candour"], folded) if vendor else []
    balanced = _found(c["balanced"], folded)
    evidence = _evidence(folded, text, c["evidence"])
    praise_w = sum(weight(p) for p in promotional)
    crit_w = 1.5 * sum(weight(x) for x in critical)
    score = praise_w - crit_w - 0.5 * len(hedges)
    if vendor and not candour:
        score += 1.5
    if quoted and not critical:
        score += 0.75 * min(2, len(quoted))
    mixed = not vendor and crit_w <= 1.5 and bool(gains or promotional)
    if candour:
        stance, decided = "neutral", candour
    elif crit_w >= 1.5 and score < 0 and not mixed and not (balanced and crit_w < 3):
        stance, decided = "critical", critical
    elif score >= 1.5 and not (critical and crit_w >= praise_w):
        stance, decided = "promotional", promotional
    else:
        stance, decided = "neutral", balanced + hedges + critical + promotional
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
