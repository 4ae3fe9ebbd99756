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


def query_text(text: str, *, gloss: bool = True) -> str:
    """A profile interest or topic description, glossed the same way as articles."""
    if not gloss:
        return text
    glosses = english_gloss(text)
    return f"{text} ({', '.join(glosses)})" if glosses else text
