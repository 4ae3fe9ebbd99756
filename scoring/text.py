"""The text of an article that scoring embeds: title + lead, bounded in length, with English glosses."""

from __future__ import annotations

from scoring.glossary import english_gloss
from scoring.records import ArticleText

LEAD_WORDS = 120  # the model reads 256 word pieces; title + ~120 words + glosses fit
RECIPE = "title+lead120+gloss:v1"  # stored per model: changing the recipe re-embeds


def lead(text: str, max_words: int = LEAD_WORDS) -> str:
    parts = text.split()
    return " ".join(parts[:max_words]) + (" …" if len(parts) > max_words else "")


def embedding_text(article: ArticleText, *, gloss: bool = True) -> str:
    """Title, lead and (for French terms) their English glossary equivalents, so English models see them."""
    title = article.title.strip()
    body = lead(article.summary)
    text = f"{title}. {body}" if title and body else (title or body)
    if gloss:
        glosses = english_gloss(f"{title} {body}")
        if glosses:
            text = f"{title} ({', '.join(glosses)}). {body}"
    return text


def text_recipe(multilingual: bool, gloss: bool = True) -> tuple[str, bool]:
    """The recipe a model's stored vectors are made with, and whether its text is glossed: a multilingual model
    reads French as it is (scoring.embedder; the learned stance reading fits on the same text)."""
    gloss = gloss and not multilingual
    return (RECIPE if gloss else RECIPE + ":nogloss"), gloss


def query_text(text: str, *, gloss: bool = True) -> str:
    """A profile interest or topic description, glossed the same way as articles."""
    if not gloss:
        return text
    glosses = english_gloss(text)
    return f"{text} ({', '.join(glosses)})" if glosses else text


# Function words that tell a short French phrase from an English one. A profile's phrases are too short for a
# character-model language guess to be cheap: py3langid takes ~0.45 s to load, more than rescoring costs.
_FR_WORDS = frozenset(
    "le la les l de des du d un une et en pour sur dans avec au aux à par ou sans son sa ses leur leurs notre nos "
    "votre vos ce cette ces qui que qu est sont être entre chez vers lors selon nouveaux nouvelles nouveau".split())
_EN_WORDS = frozenset(
    "the a an of and for on in with to by or without their our your its this that these those who which is are "
    "be between at from into new how what".split())
_ACCENTS = frozenset("àâçéèêëîïôùûüœ")


def phrase_language(text: str) -> str:
    """"fr", "en" or "" (no clue) for a short phrase, from its function words and accents."""
    lowered = text.lower()
    words = [w for w in "".join(c if c.isalpha() else " " for c in lowered).split()]
    fr = sum(w in _FR_WORDS for w in words) + 2 * any(c in _ACCENTS for c in lowered)
    en = sum(w in _EN_WORDS for w in words)
    return "fr" if fr > en else "en" if en > fr else ""
