"""The evidence dossier of a card, end to end: feeds of every kind of source on a local HTTP server, a real crawl
into a real SQLite file, then `ui.services.dossier` and `veille tools dossier`. The fixed clock moves from the
end of June (a promotional surge: peak) to late October (fewer mentions, a critical tide: trough)."""

from __future__ import annotations

import json
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner

from config import clock
from config.errors import PermissionDenied
from config.settings import load_settings
from scoring.stance import claims, read
from tests.plugins.app import editor_ctx, viewer_ctx
from veille.cli import main
from watcher import crawler
from watcher.db import open_store

KINDS = ("vendor", "research", "press", "practitioner", "regulator")

# (feed kind, date, title, summary); the tool is Tutorix (alias TutorixGo), an AI tutor for shop-floor staff
EARLY = [
    ("vendor", "2026-05-04", "Tutorix launches its AI tutor for frontline staff",
     "The new tutor cuts onboarding time by 40% and boosts retention, says the vendor. Book a demo."),
    ("vendor", "2026-05-12", "TutorixGo lance une nouvelle version pour les équipes terrain",
     "La plateforme réduit de moitié le temps de formation et affiche +35 % de rétention à trois mois."),
    ("press", "2026-05-20", "Retailers rush to Tutorix, the AI tutor everyone talks about",
     "Three chains announced deals with Tutorix this month, calling the tutor a game-changer for store training."),
    ("vendor", "2026-05-27", "Tutorix partners with a logistics giant",
     "The partnership brings the AI tutor to 20,000 warehouse employees, with learners 3x faster to competence."),
    ("practitioner", "2026-06-03", "A week with Tutorix on the shop floor",
     "I tried the tutor with two teams. It is a powerful way to rehearse procedures between shifts."),
    ("press", "2026-06-10", "Tutorix raises funding to expand its tutor in Europe",
     "The start-up unveils French and German versions of its learning app and a new analytics module."),
    ("vendor", "2026-06-16", "Customer story: Tutorix at a food plant",
     "Operators completed their safety modules twice as fast, and the plant saved €2 million in downtime."),
]
LATE = [
    ("research", "2026-09-08", "A controlled study of Tutorix in twelve warehouses",
     "With a control group of six sites, the pilot showed no change in picking errors after eight weeks; "
     "learners rated the tutor well, but nothing beyond satisfaction was measured."),
    ("practitioner", "2026-09-22", "Tutorix : ce que nos équipes en retiennent vraiment",
     "Après trois mois, aucun effet mesuré au-delà de la satisfaction ; les apprenants décrochent après deux "
     "semaines et nous avons abandonné le module."),
    ("press", "2026-10-06", "The Tutorix backlash: trainers question the AI tutor's answers",
     "Trainers report wrong answers and hallucinated procedures in the tutor, and two customers dropped it."),
    ("regulator", "2026-10-20", "AI tutors at work: what the AI Act asks of Tutorix and its peers",
     "Employers deploying a learning tutor such as Tutorix must inform staff and keep human oversight."),
]
CONFUSABLE = [
    ("press", "2026-05-21", "Tutoria opens a language school in Lyon",
     "Tutoria, a different company, runs evening language courses for adults."),
    ("press", "2026-06-11", "Tutorix wins the Prix de Diane",
     "The filly Tutorix, ridden by a young jockey, won by two lengths at Chantilly on Sunday."),
    ("practitioner", "2026-09-15", "Is a tutor app enough for new starters?",
     "Short answer: an AI tutor app helps, but a buddy on the floor matters more for onboarding."),
]


def _rss(kind: str, items: list[tuple], base: str) -> bytes:
    entries = []
    for i, (k, day, title, summary) in enumerate(items):
        if k != kind:
            continue
        when = format_datetime(datetime.fromisoformat(f"{day}T08:00:00+00:00"))
        slug = f"{kind}-{day}-{i}"
        entries.append(f"<item><title>{escape(title)}</title><link>{base}/{slug}</link><guid>{base}/{slug}</guid>"
                       f"<pubDate>{when}</pubDate><description>{escape(summary)}</description></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{kind} news</title>'
            f"<link>{base}</link><description>x</description>{''.join(entries)}</channel></rss>").encode()


@pytest.fixture
def world(tmp_path, feed_server):
    """(settings, store, serve(items)): a config with one feed per kind on the local server; serve() publishes."""
    config = tmp_path / "veille.toml"
    config.write_text(
        '[database]\npath = "veille.db"\n[crawler]\nallow_private_networks = true\n'
        + "".join(f'[[feeds]]\nurl = "{feed_server.url("/" + k)}"\nkind = "{k}"\n' for k in KINDS), encoding="utf-8")
    settings = load_settings(config)

    def serve(items):
        for k in KINDS:
            feed_server.add("/" + k, _rss(k, items, feed_server.url("/a")), content_type="application/rss+xml")

    with open_store(settings.database_path) as store:
        yield settings, store, serve, config


def _crawl(settings, store) -> None:
    summary = crawler.crawl(settings, store, all_feeds=True)
    assert summary.failed == 0, summary.failures


def test_the_dossier_finds_the_tool_reads_each_source_and_sees_the_tide_turn(world):
    from ui.services import dossier
    from ui.services.tools import add_tool

    settings, store, serve, _config = world
    ctx = editor_ctx(settings, store)
    add_tool(ctx, "Tutorix", note="seen in the press", description="An AI tutor app for frontline training")
    dossier.set_aliases(ctx, "Tutorix", ["TutorixGo", "tutorix"])

    clock.set_now(clock.parse_instant("2026-06-30T09:00:00+00:00"))
    serve(EARLY + CONFUSABLE[:2])
    _crawl(settings, store)
    early = dossier.build(ctx, "Tutorix")
    assert early.aliases == ("TutorixGo",)
    assert {a.title for a in early.articles} == {t for _k, _d, t, _s in EARLY}  # not Tutoria, not the filly
    assert early.suggested_stage.stage == "peak", early.suggested_stage
    assert early.evidence_level is None  # vendors' word only

    clock.set_now(clock.parse_instant("2026-10-28T09:00:00+00:00"))
    serve(EARLY + LATE + CONFUSABLE)
    _crawl(settings, store)
    d = dossier.build(ctx, "Tutorix")
    by_title = {a.title: a for a in d.articles}
    assert set(by_title) == {t for _k, _d, t, _s in EARLY + LATE}
    assert all(a.source_kind == k for k, _d, t, _s in EARLY + LATE for a in [by_title[t]])
    assert d.by_kind == {"research": 1, "practitioner": 2, "vendor": 4, "press": 3, "regulator": 1}
    stances = {t: by_title[t].stance for t in by_title}
    assert stances[LATE[0][2]] == "critical" and stances[LATE[1][2]] == "critical"
    assert stances[LATE[2][2]] == "critical" and stances[LATE[3][2]] == "neutral"
    assert all(stances[t] == "promotional" for k, _d, t, _s in EARLY if k == "vendor")
    assert "no change" in by_title[LATE[0][2]].cues  # the phrase that decided it is shown
    vendor_claims = [c for a in d.articles if a.vendor_claims for c in a.claims]
    for quoted in ("cuts onboarding time by 40%", "+35 % de rétention", "3x faster", "€2 million"):
        assert any(quoted in c for c in vendor_claims), (quoted, vendor_claims)
    assert d.evidence_level is not None and d.evidence_level.key == "controlled"  # the independent study
    assert d.suggested_stage.stage == "trough", d.suggested_stage
    weeks = {w.week: w for w in d.timeline}
    assert weeks["2026-W19"].mentions == 1 and weeks["2026-W37"].critical == 1
    assert sum(w.mentions for w in d.timeline) == len(d.articles)

    # a correction is kept and used; a viewer may read but not correct
    dossier.correct_stance(ctx, "Tutorix", by_title[LATE[3][2]].id, "critical")
    again = {a.title: a for a in dossier.build(ctx, "Tutorix").articles}
    assert again[LATE[3][2]].stance == "critical" and again[LATE[3][2]].corrected
    with pytest.raises(PermissionDenied):
        dossier.correct_stance(viewer_ctx(settings, store), "Tutorix", by_title[LATE[3][2]].id, None)
    dossier.correct_stance(ctx, "Tutorix", by_title[LATE[3][2]].id, None)
    assert {a.title: a for a in dossier.build(ctx, "Tutorix").articles}[LATE[3][2]].stance == "neutral"


def test_veille_tools_dossier_json(world):
    settings, store, serve, config = world
    clock.set_now(clock.parse_instant("2026-10-28T09:00:00+00:00"))
    serve(EARLY + LATE + CONFUSABLE)
    _crawl(settings, store)
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, ["--config", str(config), *args], catch_exceptions=False)

    assert run("tools", "add", "Tutorix", "--note", "seen", "--description", "AI tutor app").exit_code == 0
    assert run("tools", "aliases", "Tutorix", "TutorixGo").exit_code == 0
    out = run("tools", "dossier", "Tutorix", "--json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["tool"] == "Tutorix" and doc["suggested_stage"] == "trough" and doc["evidence_level"]["ltem"] == 7
    assert len(doc["articles"]) == len(EARLY + LATE)
    assert set(doc["articles"][0]) >= {"id", "url", "title", "published", "source_kind", "stance", "claims"}
    assert all(set(w) == {"week", "mentions", "critical", "promotional"} for w in doc["timeline"])
    assert all(len(w["week"]) == 8 and w["week"][4:6] == "-W" for w in doc["timeline"])
    text = run("tools", "dossier", "Tutorix")
    assert text.exit_code == 0 and "suggested stage: trough" in text.stdout and "controlled" in text.stdout
    missing = run("tools", "dossier", "Nope")
    assert missing.exit_code != 0 and "not in the register" in missing.stderr


@pytest.mark.parametrize("text, stance", [
    ("The pilot showed no change in errors.", "critical"),
    ("Aucun effet mesuré au-delà de la satisfaction.", "critical"),
    ("Not a game-changer, but useful for drills.", "neutral"),  # negated praise tempers, it does not condemn
    ("The vendor launches a powerful new tutor that boosts learning.", "promotional"),
    ("The company added Spanish to its tutor.", "neutral"),
])
def test_stance_of_plain_sentences(text, stance):
    assert read("", text).stance == stance


def test_claims_are_quoted_and_dates_are_not_claims():
    assert claims("In 2026 the tool halves time to competence.") == ("In 2026 the tool halves time to competence",)
    assert claims("Released on 12 May 2026 with 12 new courses.") == ()
    assert claims("Résultat : +35 % de rétention à trois mois.") == ("+35 % de rétention à trois mois",)


@pytest.mark.parametrize("text, quote", [
    # durations measured against something, in both languages
    ("Answers now come in under 10 seconds.", "Answers now come in under 10 seconds"),
    ("Agents spend 5 hours less per week on notes.", "Agents spend 5 hours less per week on notes"),
    ("Un module se conçoit en 2 heures au lieu de 2 jours.", "Un module se conçoit en 2 heures au lieu de 2 jours"),
    ("Les agents gagnent 25 secondes par appel.", "Les agents gagnent 25 secondes par appel"),
    ("Staff were certified six days earlier.", "Staff were certified six days earlier"),
    # shares, ratings and scale written out
    ("It cuts rework by a third.", "It cuts rework by a third"),
    ("Un salarié sur cinq a terminé le parcours.", "Un salarié sur cinq a terminé le parcours"),
    ("Users rate it 4,6 sur 5.", "Users rate it 4,6 sur 5"),
    ("9 out of 10 users would recommend it.", "9 out of 10 users would recommend it"),
    ("The app now passes 12,000 seats.", "The app now passes 12,000 seats"),
    ("Le réseau compte 40 agences équipées.", "Le réseau compte 40 agences équipées"),
    ("L'éditeur a économisé 1,5 million d'euros.", "L'éditeur a économisé 1,5 million d'euros"),
    # a clause's own quotation marks are kept; a longer clause holding an earlier quote replaces it
    ("Selon une enquête auprès de 1 200 salariés, 87 % jugent l'outil « utile ».",
     "Selon une enquête auprès de 1 200 salariés, 87 % jugent l'outil « utile »"),
])
def test_quantified_claims_beyond_percentages(text, quote):
    assert claims(text) == (quote,), claims(text)


@pytest.mark.parametrize("text", [
    "A survey of 1,200 learners found the course clear.",  # a sample's size
    "Enquête menée auprès de 300 conseillers en mars.",
    "Support is available 24/7 in every store.",
    "The pilot ran for 12 weeks in two plants.",  # a duration alone claims nothing
    "Une formation sur deux jours pour les managers.",
    "Released on 12 May 2026 with 12 new courses.",
])
def test_figures_that_are_not_claims(text):
    assert claims(text) == (), claims(text)


def _weeks(spec: list[tuple[int, int, int]]):
    """(mentions, critical, promotional) per week, from 2026-W10."""
    from scoring.dossier import Week
    return [Week(f"2026-W{i + 10:02d}", m, c, p) for i, (m, c, p) in enumerate(spec)]


# two promotional months, a promotional shoulder after the busiest four weeks, then a thin tail turning critical
LONG_PEAK = [(1, 0, 1), (0, 0, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0), (1, 0, 0), (0, 0, 0), (1, 0, 0), (2, 0, 2),
             (1, 0, 1), (2, 0, 2), (1, 0, 1), (1, 0, 1), (1, 0, 0), (1, 0, 1), (1, 0, 0), (1, 0, 1), (1, 0, 0),
             (0, 0, 0), (1, 0, 0), (0, 0, 0), (1, 0, 0), (0, 0, 0), (1, 0, 1), (0, 0, 0), (1, 1, 0), (0, 0, 0),
             (1, 1, 0), (0, 0, 0), (1, 1, 0), (1, 1, 0), (0, 0, 0), (1, 0, 0), (0, 0, 0)]


def test_a_long_busy_peak_then_a_critical_tail_is_a_trough():
    """The peak's promotional shoulder is part of the peak, not of what comes after it (before: a slope)."""
    from scoring.dossier import stage

    found = stage(_weeks(LONG_PEAK))
    assert found.stage == "trough", found
    assert dict(found.facts)["crit"] >= 0.5 and dict(found.facts)["crit_before"] == 0


def test_a_decline_is_not_a_trough_without_a_critical_tide():
    from scoring.dossier import stage

    neutral_tail = [(m, 0, p) for m, _c, p in LONG_PEAK]
    assert stage(_weeks(neutral_tail)).stage == "slope"
    # a thin tail whose one article is critical: fewer mentions, not a turned tide (before: a trough)
    one = [(1, 0, 1), (0, 0, 0), (2, 0, 2), (1, 0, 1), (2, 0, 2), (0, 0, 0), (0, 0, 0), (0, 0, 0), (1, 1, 0),
           (0, 0, 0), (0, 0, 0), (1, 0, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0)]
    assert stage(_weeks(one)).stage == "slope", stage(_weeks(one))


# Sentences written for these tests (not from the labelled sets): one mechanism of the reading each, both languages
MECHANISMS = [
    # a quantified claim read for its direction: a measure of learning or use that fell, a cost that rose
    (False, "Weekly active users dropped from 5,000 to 900 and quiz scores went down by 15%.", "critical"),
    (False, "Le taux d'usage est passé de 80 % à 20 % en six mois.", "critical"),
    (False, "The training costs rose by 30% while nothing else moved.", "critical"),
    (False, "Satisfaction is high, but error rates on the line rose by 10% during the rollout.", "critical"),
    (True, "Fewer complaints and fewer errors: customers report 25% fewer support tickets.", "promotional"),
    (True, "Nos clients constatent 40 % d'abandons en moins et zéro plainte depuis le lancement.", "promotional"),
    (True, "Training time is shorter by 25% and courses load twice as fast. Book a demo.", "promotional"),
    (False, "Completion rose to 88% and quiz scores improved by 12 points. We would not go back.", "promotional"),
    # null results without a stock phrase, refuted promises
    (False, "The study found no reliable improvement in on-the-job performance after twelve weeks.", "critical"),
    (False, "Une étude contrôlée ne montre aucun progrès mesurable sur les gestes métier.", "critical"),
    (False, "Les promesses de gain de temps ne se sont pas vérifiées sur le terrain.", "critical"),
    (False, "The vendor's 50% faster claim does not hold up in our audit.", "critical"),
    # ... but a null result on another measure, after the figure, leaves the gain standing: mixed
    (False, "Les scores d'écoute progressent de 9 % à deux mois, sans différence sur la satisfaction des clients.",
     "neutral"),
    # negation scope: over praise (criticism in an independent article), over criticism (none)
    (False, "Quizlo n'est pas la révolution promise, disent les formateurs.", "critical"),
    (False, "Far from a breakthrough, says the review of three plants.", "critical"),
    (False, "Sans doute l'outil le plus simple du marché, selon les formateurs.", "neutral"),
    (False, "There were no complaints from learners and the rollout went smoothly.", "neutral"),
    # reported abandonment, irony, nobody
    (False, "We stopped using Quizlo in March and went back to classroom drills.", "critical"),
    (False, "L'outil a été abandonné après six mois : trop cher pour un effet invisible.", "critical"),
    (False, "Les conseillers ne voulaient plus du casque ; nous sommes revenus aux jeux de rôle.", "critical"),
    (False, "Brilliant, another dashboard that nobody opens.", "critical"),
    (False, "Génial, encore un tableau de bord que personne ne consulte.", "critical"),
    (True, "No one is left behind: learners reach competence 2x faster.", "promotional"),
    (True, "Trainers said sessions were too long. They were right: scenarios now last ten minutes.", "neutral"),
    # contrast: what "but"/"although" concedes weighs half; praise or a gain beside one criticism is mixed
    (False, "The tool is useful for drills, although some learners stopped using it.", "neutral"),
    (False, "Error rates fell by 20% on the packing line, but the effect on speed was nil.", "neutral"),
    (False, "Trainers complained about the interface, but learners found the scenarios impressive.", "neutral"),
    # the author's balanced verdict; "mixed reality" is not one
    (False, "Supporters praise its speed, critics its shallow quizzes: a mixed picture so far.", "neutral"),
    (False, "Un bilan mitigé : des apprenants frustrés par le casque, des formateurs conquis.", "neutral"),
    (False, "The new mixed reality module lets learners rehearse a pump repair.", "neutral"),
]


@pytest.mark.parametrize("vendor, text, stance", MECHANISMS)
def test_the_stance_mechanisms(vendor, text, stance):
    reading = read("Quizlo", text, vendor=vendor)
    assert reading.stance == stance, reading
    if stance == "critical":
        assert reading.cues, reading  # what decided it is shown


def test_a_loss_is_shown_by_its_figures():
    reading = read("We shelved Quizlo", "The pilot was expensive, and completion fell to 30% by week six.")
    assert reading.stance == "critical"
    assert "and completion fell to 30% by week six" in reading.cues and "shelved" in reading.cues


# Articles in the labelled sets' style, written and labelled before the revised reading was run on them (20 of 24
# read right then, critical found 7 of 8; 23 of 24 after the two rules they showed missing). (vendor, title,
# summary, label)
LUMORA = [
    (True, 'Lumora brings VR role-play to call centres',
     "Lumora's new module lets agents rehearse angry-customer calls in a headset. Early customers report a 32% "
     'drop in escalations within two months. Request a demo today.', 'promotional'),
    (True, 'Lumora : des entretiens difficiles sans risque',
     "Avec Lumora, les managers s'entraînent aux entretiens annuels face à un avatar. Un client du secteur "
     'bancaire mesure 27 % de réclamations en moins après trois mois.', 'promotional'),
    (True, 'Lumora and headset comfort: what we changed',
     'Several trainers told us the sessions were too long. They were right: scenarios now last ten minutes at '
     'most, and a desktop version is available for people who cannot wear a headset.', 'neutral'),
    (False, 'Lumora signs a deal with a hospital group',
     'The VR role-play start-up will equip 14 hospitals for patient-communication training. Financial terms were '
     'not disclosed.', 'neutral'),
    (False, "Les DRH s'arrachent Lumora",
     "Au salon de la formation, le stand de Lumora ne désemplit pas. L'éditeur promet des managers deux fois plus "
     "à l'aise en entretien, et plusieurs grands groupes ont signé dans la foulée.", 'promotional'),
    (False, 'Lumora in our contact centre: three months in',
     'Agents liked the scenarios at first, but attendance at the weekly sessions slid from 90% to 35% by the third '
     'month. Supervisors now schedule them during quiet hours only.', 'critical'),
    (False, 'Un essai randomisé sur Lumora',
     'Des chercheurs ont comparé 180 conseillers formés avec Lumora à un groupe témoin formé en présentiel. Les '
     "scores d'écoute active progressent de 9 % à deux mois, sans différence sur la satisfaction des clients.",
     'neutral'),
    (False, 'Lumora: the results are not there',
     'A controlled study in three call centres found no measurable effect on customer satisfaction scores or call '
     "resolution. The authors note that the vendor's own figures came from a single client.", 'critical'),
    (False, 'Pourquoi nous avons rangé les casques Lumora',
     'Après un semestre, les conseillers ne voulaient plus mettre le casque et les superviseurs manquaient de '
     'temps pour débriefer. Nous sommes revenus aux jeux de rôle entre collègues.', 'critical'),
    (False, "Lumora, l'avatar qui écoute mieux que votre manager ?",
     "Bravo, un logiciel qui apprend l'empathie aux managers pendant que l'entreprise supprime les entretiens "
     'individuels.', 'critical'),
    (False, 'Is Lumora worth it?',
     'It depends on your volume. For large contact centres the rehearsal time pays off; for teams of ten the '
     'licence is hard to justify. Either way, plan time for debriefs.', 'neutral'),
    (False, 'Lumora review: polished, pricey',
     'The scenarios are realistic and the avatars react convincingly. The licence, however, costs twice as much as '
     'its nearest rival, and setup took our IT team a week.', 'neutral'),
    (False, 'VR soft-skills training: guidance for employers',
     "The Authority reminds employers using tools such as Lumora that recordings of trainees' voices are personal "
     'data and must be deleted after the assessment.', 'neutral'),
    (False, 'Lumora fails to move the needle at a telecom operator',
     "After a year with Lumora, the operator's complaint rate rose by 4% and first-call resolution was unchanged. "
     'The contract will not be renewed.', 'critical'),
    (False, 'Les conseillers adorent Lumora',
     'Dans notre centre de Lille, 9 conseillers sur 10 recommandent les scénarios Lumora à leurs collègues. Le '
     'taux de participation aux séances est passé de 60 % à 85 %.', 'promotional'),
    (False, 'Lumora meta-review: promising but thin',
     'A review of nine studies of VR role-play, three of them on Lumora, finds small gains in self-rated '
     'confidence and too few studies on behaviour to draw conclusions.', 'neutral'),
    (True, "Lumora 2 : l'analyse vocale en temps réel",
     'La nouvelle version analyse le ton de la voix et propose un débriefing immédiat. Selon nos clients, le temps '
     'de formation des nouveaux conseillers est réduit de 40 %.', 'promotional'),
    (False, "Lumora's empathy scores questioned",
     'Two researchers argue that the empathy score Lumora shows trainees rests on an undisclosed model and has '
     'never been validated against observed behaviour.', 'critical'),
    (False, 'Lumora expands to Spain',
     'The company opened a Madrid office and translated its scenario library. It says it now has 120 corporate '
     'clients.', 'neutral'),
    (False, 'A year of Lumora: not the revolution we were sold',
     'The headsets are gathering dust. Completion of the soft-skills path stalled at 20%, and managers never found '
     'the time for debriefs.', 'critical'),
    (False, "Lumora, un outil parmi d'autres",
     "Lumora fait bien ce qu'il promet sur les scénarios simples, moins bien sur les situations complexes. Un "
     'complément utile, pas un remplaçant du coaching.', 'neutral'),
    (False, 'Lumora cuts onboarding time at a retailer',
     'A national retailer says new store managers completed onboarding 30% faster with Lumora role-plays. An '
     'independent evaluation is planned for next year.', 'promotional'),
    (False, "Trainers sceptical of Lumora's avatars",
     'Several trainers we spoke to doubt that an avatar can replace a human role-play partner, though they see '
     'value for shy learners.', 'critical'),
    (False, 'Lumora : des résultats encourageants dans un pilote',
     'Dans un pilote mesuré auprès de 60 managers, les évaluations à 360 degrés progressent légèrement. '
     "L'échantillon est petit et l'étude n'a pas de groupe témoin.", 'neutral'),
]


def test_the_reading_on_articles_written_for_it():
    read_as = [(label, read(title, summary, vendor=vendor).stance) for vendor, title, summary, label in LUMORA]
    right = sum(label == stance for label, stance in read_as)
    critical = [stance for label, stance in read_as if label == "critical"]
    print(f"{right} of {len(read_as)} right; critical found {critical.count('critical')} of {len(critical)}")
    assert right >= 22 and critical.count("critical") == len(critical), read_as
    assert sum(stance == "critical" for _label, stance in read_as) == len(critical)  # no false critical


RAILCARD = ("Railcheck", "Tablet assessments and competence tracking for railway track maintenance staff.")


@pytest.mark.parametrize("title, summary, about", [
    # a French article about the card, with no learning word: its field, read by the first six letters
    ("Un mainteneur renonce à Railcheck", "La facture des licences a doublé avec les sous-traitants.", True),
    ("Railcheck sur les tablettes des équipes de voie", "Les écarts relevés sur les chantiers restent.", True),
    # an elided article before a learning word still counts ("d'apprentissage")
    ("Railcheck, un an après", "Un bilan d'apprentissage pour les équipes de nuit.", True),
    # a namesake: no word of learning nor of the card's field
    ("Railcheck, le nouveau bar du port", "Une terrasse, des concerts le jeudi et une carte de bières belges.", False),
    # the card's own name is not its context: "Railchecker" shares its first six letters with nothing else
    ("Railcheck et Railchecker au salon", "Deux stands voisins, un seul café.", False),
])
def test_an_article_is_about_the_card_by_its_name_and_its_field(title, summary, about):
    from scoring import dossier as rules

    name, description = RAILCARD
    pattern = rules.names_pattern((name,))
    assert rules.about(title, summary, pattern, rules.context_words(description, ())) is about
