"""A bilingual (English ↔ French) glossary of workplace-learning terms: data, not code.

The concepts ship in `scoring/glossary.toml` (`[[terms]] en = [...] fr = [...]`, the first English variant
being the gloss); a company adds its own pairs with `[[glossary]]` entries in its config file, which extend
the shipped ones and never replace them (a hospital's "ward" ↔ "service de soins", a bank's jargon).
:func:`active` is the effective glossary: the shipped one plus the `[[glossary]]` entries of the config this
process loaded last (`config.settings.loaded_glossary`); the module-level functions use it.

The default model (`use-multilingual-v3`) reads French and English alike and needs none of this. The glossary
serves where a language gap remains: an English-only model (`all-MiniLM-L6-v2`) gets the English equivalents
of the French terms of a text appended before embedding (:func:`english_gloss`), and the scorer's keyword
queries are expanded to both languages (:func:`expand`, `bm25.query_terms(bilingual=True)`) when the scorer's
`gloss` is on, i.e. for English-only models; `veille eval`'s BM25 baseline always expands.
Matching is on lower-cased, accent-free text at word boundaries.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from config.settings import GlossaryEntry, loaded_glossary

GLOSSARY_FILE = Path(__file__).with_name("glossary.toml")
Pair = tuple[tuple[str, ...], tuple[str, ...]]  # (English variants, French variants)


def load_file(path: Path = GLOSSARY_FILE) -> tuple[tuple[Pair, ...], frozenset[str]]:
    """The (English variants, French variants) pairs and the stopwords of a glossary file, in file order."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    pairs = tuple((tuple(t["en"]), tuple(t["fr"])) for t in data["terms"])
    return pairs, frozenset(data["stopwords"])


SHIPPED_PAIRS, STOPWORDS = load_file()

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


def normalize(text: str) -> str:
    """Lower case, accents removed, typographic apostrophes unified."""
    text = text.replace("’", "'").lower()
    if text.isascii():  # most English text: nothing to decompose (the filter below goes char by char)
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Accent-free lower-case words, elided articles split off ("l'entrepôt" → "entrepot")."""
    out = []
    for w in _WORD.findall(normalize(text)):
        if "'" in w:
            head, _, tail = w.partition("'")
            out.extend([tail] if len(head) <= 2 else [head, tail])
        else:
            out.append(w)
    return out


def _pattern(terms: tuple[str, ...]) -> re.Pattern:
    alts = sorted({re.escape(normalize(t)) for t in terms}, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alts) + r")(?![a-z0-9])")



@dataclass(frozen=True)
class Glossary:
    """Concepts as (English variants, French variants) pairs; the first English variant is the gloss."""

    pairs: tuple[Pair, ...]

    def extended(self, extra: Iterable[Pair]) -> Glossary:
        """This glossary followed by `extra` pairs (a company's: added, never replacing a shipped pair)."""
        more = tuple((tuple(en), tuple(fr)) for en, fr in extra)
        return Glossary(self.pairs + more) if more else self

    @cached_property
    def _compiled(self) -> list[tuple[re.Pattern, re.Pattern, str]]:
        return [(_pattern(en), _pattern(fr), en[0]) for en, fr in self.pairs]

    def english_gloss(self, text: str) -> list[str]:
        """English equivalents of the French glossary terms found in `text` (and absent in English)."""
        norm = normalize(text)
        glosses = [gloss for en, fr, gloss in self._compiled if fr.search(norm) and not en.search(norm)]
        return list(dict.fromkeys(glosses))  # a company pair may share its gloss with a shipped one

    def concepts(self, text: str) -> set[int]:
        """Indices of glossary concepts present in `text`, in either language."""
        norm = normalize(text)
        return {i for i, (en, fr, _g) in enumerate(self._compiled) if en.search(norm) or fr.search(norm)}

    def expand(self, text: str) -> list[str]:
        """Every variant, in both languages, of the glossary concepts present in `text`."""
        out: list[str] = []
        for i in sorted(self.concepts(text)):
            en, fr = self.pairs[i]
            out.extend(en)
            out.extend(fr)
        return out



SHIPPED = Glossary(SHIPPED_PAIRS)


@lru_cache(maxsize=8)
def _extended(entries: tuple[GlossaryEntry, ...]) -> Glossary:
    return SHIPPED.extended((e.en, e.fr) for e in entries)


def active() -> Glossary:
    """The shipped glossary extended by the `[[glossary]]` entries of the config this process loaded last."""
    return _extended(loaded_glossary())


def english_gloss(text: str) -> list[str]:
    """English equivalents of the French glossary terms found in `text` (and absent in English)."""
    return active().english_gloss(text)


def concepts(text: str) -> set[int]:
    """Indices of glossary concepts present in `text`, in either language."""
    return active().concepts(text)


def expand(text: str) -> list[str]:
    """Every variant, in both languages, of the glossary concepts present in `text`."""
    return active().expand(text)
