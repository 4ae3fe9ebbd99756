"""A bilingual (English ↔ French) glossary of workplace-learning terms.

The default embedding model only understands English, so a French article about "formation sécurité en
entrepôt" lands far from an English profile about "safety training for warehouse staff". The glossary closes
part of that gap in two places: French terms found in a text get their English equivalents appended before
embedding (:func:`english_gloss`), and keyword queries are expanded to both languages (:func:`expand`).
Matching is on lower-cased, accent-free text at word boundaries.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# (English variants, French variants); the first English variant is the one appended as a gloss.
PAIRS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    # people and workplaces
    (("warehouse", "distribution centre", "distribution center"), ("entrepôt", "entrepôts", "plateforme logistique")),
    (("order pickers", "order picker", "pickers"), ("préparateurs de commandes", "préparateur de commandes",
                                                    "préparateurs", "préparatrices")),
    (("picking",), ("préparation de commandes",)),
    (("operators", "operator"), ("opérateurs", "opérateur", "opératrices")),
    (("frontline workers", "frontline", "front-line", "deskless workers", "field staff"),
     ("salariés de terrain", "opérationnels", "travailleurs de terrain", "première ligne")),
    (("shop floor", "production line"), ("atelier", "ligne de production")),
    (("factory", "plant"), ("usine", "usines", "site industriel")),
    (("store", "shop", "retail"), ("magasin", "magasins", "commerce", "grande distribution", "enseigne")),
    (("logistics",), ("logistique",)),
    (("shift", "shifts", "shift workers"), ("équipe postée", "poste", "travail posté", "horaires décalés")),
    (("employees", "employee", "staff", "workforce"), ("salariés", "salarié", "collaborateurs", "personnel",
                                                       "employés")),
    (("new hires", "newcomers", "new employees"), ("nouveaux collaborateurs", "nouvelles recrues",
                                                   "nouveaux arrivants", "nouveaux salariés")),
    (("managers", "manager", "team leaders", "team leader", "supervisors", "supervisor"),
     ("encadrants", "encadrant", "managers de proximité", "manager de proximité", "chefs d'équipe",
      "chef d'équipe", "responsables d'équipe")),
    (("leadership",), ("leadership", "posture managériale")),
    (("management",), ("management", "encadrement")),
    (("teams", "team"), ("équipes", "équipe")),
    (("hybrid teams", "remote teams", "distributed teams"), ("équipes hybrides", "équipes à distance",
                                                             "télétravail")),
    (("trainer", "trainers", "instructional designer"), ("formateur", "formateurs", "formatrice",
                                                         "concepteur pédagogique", "ingénieur pédagogique")),
    (("learners", "learner", "trainees"), ("apprenants", "apprenant", "stagiaires")),
    (("developers", "developer", "engineers", "software engineers"), ("développeurs", "développeur",
                                                                      "ingénieurs", "informaticiens")),
    (("it teams", "it staff", "it department"), ("équipes informatiques", "dsi", "service informatique")),
    (("human resources", "hr"), ("ressources humaines", "rh", "drh")),
    # learning
    (("training", "learning", "course", "courses"), ("formation", "formations", "apprentissage", "cours")),
    (("upskilling", "reskilling", "skills development"), ("montée en compétences", "développement des compétences",
                                                          "reconversion", "requalification")),
    (("skills", "competencies"), ("compétences",)),
    (("soft skills", "interpersonal skills"), ("compétences comportementales", "savoir-être", "soft skills",
                                               "compétences douces")),
    (("onboarding", "induction"), ("intégration", "accueil des nouveaux", "onboarding", "parcours d'intégration")),
    (("microlearning", "micro-learning", "bite-sized lessons", "short lessons"),
     ("microlearning", "micro-apprentissage", "microapprentissage", "capsules", "capsule", "modules courts")),
    (("spaced repetition",), ("répétition espacée", "ancrage mémoriel")),
    (("quiz", "quizzes"), ("quiz", "questionnaire", "questionnaires")),
    (("mobile learning", "smartphone", "phone", "mobile app"), ("formation mobile", "téléphone", "smartphone",
                                                               "application mobile", "mobile")),
    (("e-learning", "online course", "digital learning"), ("e-learning", "formation en ligne", "formation à distance",
                                                          "formation digitale", "formation numérique")),
    (("blended learning",), ("formation mixte", "blended learning", "multimodal")),
    (("coaching", "mentoring"), ("coaching", "accompagnement", "mentorat", "tutorat")),
    (("feedback",), ("retour", "retours", "feedback")),
    (("difficult conversations", "hard conversations"), ("conversations difficiles", "entretiens difficiles",
                                                         "conversation difficile")),
    (("role-play", "role play", "roleplay"), ("jeu de rôle", "jeux de rôle", "mise en situation",
                                              "mises en situation")),
    (("simulation", "simulations", "simulator"), ("simulation", "simulations", "simulateur")),
    (("assessment", "evaluation"), ("évaluation", "évaluations")),
    (("certification", "certifications"), ("certification", "certifications", "certifiante")),
    (("hands-on labs", "labs", "sandbox", "sandboxes"), ("laboratoires pratiques", "travaux pratiques",
                                                         "environnements de test", "bac à sable")),
    (("learning in the flow of work", "on-the-job learning", "workplace learning"),
     ("apprentissage en situation de travail", "afest", "formation sur le poste", "apprentissage au poste")),
    (("procedures", "procedure", "work instructions"), ("procédures", "procédure", "modes opératoires",
                                                        "consignes")),
    (("digital literacy", "digital skills"), ("illettrisme numérique", "illectronisme", "compétences numériques",
                                              "culture numérique")),
    (("literacy", "basic skills"), ("illettrisme", "savoirs de base", "compétences de base")),
    (("multilingual", "non-native speakers"), ("multilingue", "plurilingue", "non francophones",
                                               "allophones")),
    (("accessibility", "accessible"), ("accessibilité", "accessible", "handicap", "rgaa")),
    (("learning platform", "lms"), ("plateforme de formation", "lms", "plateforme d'apprentissage")),
    (("authoring tool",), ("outil auteur", "outils auteurs")),
    (("completion", "completion rates"), ("taux de complétion", "complétion", "suivi des formations")),
    # safety and operations
    (("safety", "health and safety", "occupational safety"), ("sécurité", "santé et sécurité", "prévention",
                                                             "sécurité au travail")),
    (("risk prevention", "accident prevention"), ("prévention des risques", "prévention des accidents")),
    (("accidents", "accident", "injuries", "near misses"), ("accidents", "accident", "blessures",
                                                            "accidents du travail", "presque accidents")),
    (("forklift", "forklifts"), ("chariot élévateur", "chariots élévateurs", "cariste", "caristes")),
    # technology
    (("virtual reality", "vr"), ("réalité virtuelle", "rv")),
    (("augmented reality", "ar"), ("réalité augmentée", "ra")),
    (("headset", "headsets"), ("casque", "casques")),
    (("immersive",), ("immersif", "immersive", "immersion")),
    (("metaverse",), ("métavers", "metavers")),
    (("virtual world", "virtual worlds"), ("monde virtuel", "mondes virtuels")),
    (("digital twin",), ("jumeau numérique",)),
    (("artificial intelligence", "ai"), ("intelligence artificielle", "ia")),
    (("generative ai", "genai"), ("ia générative", "intelligence artificielle générative")),
    (("chatbot", "chatbots", "virtual assistant"), ("chatbot", "agent conversationnel", "assistant virtuel")),
    (("ai tutor", "ai coach"), ("tuteur ia", "coach ia", "tuteur virtuel")),
    (("coding assistant", "coding assistants", "copilot", "ai copilots"), ("assistant de code", "assistants de code",
                                                                           "copilote", "copilotes")),
    (("cloud",), ("cloud", "infonuagique")),
    (("data",), ("données", "data")),
    (("machine learning",), ("apprentissage automatique", "machine learning")),
    (("cybersecurity", "security", "information security"), ("cybersécurité", "sécurité informatique",
                                                             "sécurité des systèmes d'information")),
    (("phishing",), ("hameçonnage", "phishing")),
    (("adaptive learning",), ("apprentissage adaptatif", "formation adaptative")),
    # regulation and compliance
    (("gdpr", "data protection", "personal data"), ("rgpd", "protection des données", "données personnelles",
                                                    "cnil")),
    (("compliance", "compliant"), ("conformité", "conforme")),
    (("regulation", "regulations", "law", "rules"), ("réglementation", "règlement", "loi", "règles", "décret")),
    (("mandatory training", "compulsory training", "required training"), ("formation obligatoire",
                                                                          "formations obligatoires",
                                                                          "formation réglementaire")),
    (("ai act", "eu ai act"), ("ai act", "règlement européen sur l'ia", "règlement sur l'intelligence artificielle")),
    (("ai literacy",), ("culture de l'ia", "littératie en ia", "maîtrise de l'ia", "acculturation à l'ia")),
    (("anti-corruption", "anti-bribery"), ("anticorruption", "anti-corruption", "sapin ii", "sapin 2")),
    (("harassment", "sexual harassment"), ("harcèlement", "harcèlement sexuel", "agissements sexistes")),
    (("audit trail", "audit", "proof of completion", "evidence"), ("traçabilité", "audit", "preuves", "preuve",
                                                                   "attestation", "attestations")),
    (("quality certification", "qualiopi"), ("qualiopi", "certification qualité")),
    (("training funding", "individual learning account", "cpf"), ("cpf", "compte personnel de formation",
                                                                  "financement de la formation", "opco")),
    (("employer", "employers", "company", "companies"), ("employeur", "employeurs", "entreprise", "entreprises")),
    (("obligation", "duty", "requirement"), ("obligation", "obligations", "exigence", "exigences")),
    (("fine", "fines", "penalty", "sanctions"), ("amende", "amendes", "sanction", "sanctions")),
)

STOPWORDS: frozenset[str] = frozenset(
    """a an and are as at be been but by can do does for from has have how in into is it its of on or our so
    such than that the their them then there these they this those to was were what when where which who will
    with without within your you we us new more most also about after before over under between through each
    every any all not no only own same very just like one two three le la les un une des du de d l et ou en au
    aux pour par sur dans avec sans sous ce cet cette ces qui que quoi dont son sa ses leur leurs nos notre vos
    votre est sont être été a ont plus moins tout tous toute toutes comme mais donc car ne pas se s qu c n y il
    elle ils elles on nous vous je tu lui entre vers chez afin ainsi aussi""".split()
)

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


@lru_cache(maxsize=1)
def _compiled() -> list[tuple[re.Pattern, re.Pattern, str]]:
    return [(_pattern(en), _pattern(fr), en[0]) for en, fr in PAIRS]


def english_gloss(text: str) -> list[str]:
    """English equivalents of the French glossary terms found in `text` (and absent in English)."""
    norm = normalize(text)
    return [gloss for en, fr, gloss in _compiled() if fr.search(norm) and not en.search(norm)]


def concepts(text: str) -> set[int]:
    """Indices of glossary concepts present in `text`, in either language."""
    norm = normalize(text)
    return {i for i, (en, fr, _g) in enumerate(_compiled()) if en.search(norm) or fr.search(norm)}


def expand(text: str) -> list[str]:
    """Every variant, in both languages, of the glossary concepts present in `text`."""
    out: list[str] = []
    for i in sorted(concepts(text)):
        en, fr = PAIRS[i]
        out.extend(en)
        out.extend(fr)
    return out


def with_gloss(text: str) -> str:
    """`text` followed by the English glosses of its French terms (used for embedding with English models)."""
    glosses = english_gloss(text)
    return f"{text} ({', '.join(glosses)})" if glosses else text
