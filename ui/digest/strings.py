"""English and French wording of the digest email."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title_daily": "Your daily learning-tech digest",
        "title_weekly": "Your weekly learning-tech digest",
        "subject_daily": "veille daily digest: {n} new stories ({period})",
        "subject_weekly": "veille weekly digest: {n} new stories ({period})",
        "subject_tools": "veille digest: tool decisions ({period})",
        "volumes": "{articles} articles watched from {sources} sources · {stories} new stories for you",
        "for_profiles": "Selected for: {profiles}",
        "sources": "Sources:",
        "why": "Why:",
        "match": "match",
        "open": "Open in veille",
        "read": "Read the article",
        "tools_heading": "Tool decisions this period",
        "signals_heading": "Signals awaiting review",
        "reviews_heading": "Trial reviews due",
        "review_line": "review on {day}, owner {owner}; KPI: {kpi}",
        "signals_more": "{n} signals wait for a first review.",
        "signals_one": "1 signal waits for a first review.",
        "review": "Review in veille",
        "by": "by",
        "created": "added",
        "no_stories": "No new story above your threshold this period.",
        "footer": "You receive this digest because {address} is on the veille recipient list. "
                  "Change profiles or frequency with the DLM.",
        "open_app": "Open veille",
        "colon": ":",
        "preheader": "{stories} new stories · {tools} tool decisions",
    },
    "fr": {
        "title_daily": "Votre veille quotidienne en technologies de formation",
        "title_weekly": "Votre veille hebdomadaire en technologies de formation",
        "subject_daily": "Veille du jour : {n} nouveaux sujets ({period})",
        "subject_weekly": "Veille de la semaine : {n} nouveaux sujets ({period})",
        "subject_tools": "Veille : décisions sur les outils ({period})",
        "volumes": "{articles} articles suivis dans {sources} sources · {stories} nouveaux sujets pour vous",
        "for_profiles": "Sélection pour : {profiles}",
        "sources": "Sources :",
        "why": "Pourquoi :",
        "match": "pertinence",
        "open": "Ouvrir dans veille",
        "read": "Lire l'article",
        "tools_heading": "Décisions sur les outils",
        "signals_heading": "Signaux à examiner",
        "reviews_heading": "Revues d’essai à faire",
        "review_line": "revue le {day}, responsable {owner} ; indicateur : {kpi}",
        "signals_more": "{n} signaux attendent un premier examen.",
        "signals_one": "1 signal attend un premier examen.",
        "review": "Examiner dans veille",
        "by": "par",
        "created": "ajouté",
        "no_stories": "Aucun nouveau sujet au-dessus de votre seuil sur la période.",
        "footer": "Vous recevez cette veille car {address} figure parmi ses destinataires. "
                  "Pour changer de profils ou de fréquence, contactez le responsable digital learning.",
        "open_app": "Ouvrir veille",
        "colon": " :",
        "preheader": "{stories} nouveaux sujets · {tools} décisions outils",
    },
}

# the statuses' words come from ui.services.statuses (one vocabulary for the app, the digest and the log)
STATUS_COLOURS = {
    "signal": "#6b7280", "assess": "#2563eb", "trial": "#d97706", "adopted": "#15803d",
    "rejected": "#b91c1c", "hold": "#7c3aed",
}

MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "fr": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
}
