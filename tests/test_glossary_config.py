"""The bilingual glossary is data: shipped in scoring/glossary.toml, extended (never replaced) by a company's
`[[glossary]]` config entries, which reach the scorer's keyword expansion and the English gloss."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import config.settings as settings_mod
from config.errors import ConfigError
from config.settings import load_settings
from scoring import bm25, glossary, text
from tests.conftest import write_config
from veille.cli import main

HOSPITAL = '[[glossary]]\nen = ["ward", "wards"]\nfr = ["service de soins", "unité de soins"]\n'


@pytest.fixture(autouse=True)
def _no_company_glossary(monkeypatch):
    """Each test starts with no config loaded; the process-wide glossary is restored afterwards."""
    monkeypatch.setattr(settings_mod, "_loaded_glossary", ())


# --- the shipped file ---------------------------------------------------------------------------------------

def test_the_shipped_file_holds_the_pairs_that_were_python():
    pairs, stopwords = glossary.load_file()
    assert pairs == glossary.SHIPPED_PAIRS == glossary.SHIPPED.pairs
    assert len(pairs) == 86 and len(stopwords) == 159
    assert pairs[0] == (("warehouse", "distribution centre", "distribution center"),
                        ("entrepôt", "entrepôts", "plateforme logistique"))
    assert pairs[-1] == (("fine", "fines", "penalty", "sanctions"), ("amende", "amendes", "sanction", "sanctions"))
    assert all(en and fr and all(isinstance(t, str) and t for t in en + fr) for en, fr in pairs)
    assert len({en[0] for en, _fr in pairs}) == len(pairs)  # one gloss per concept
    assert {"the", "le", "avec", "aussi"} <= stopwords == glossary.STOPWORDS
    assert glossary.active() is glossary.SHIPPED


def test_gloss_and_expansion_are_unchanged():
    """Results of the former Python glossary, on texts of both languages."""
    fr = "Formation sécurité en entrepôt pour les caristes"
    assert glossary.english_gloss(fr) == ["warehouse", "training", "safety", "forklift"]
    assert glossary.english_gloss(fr) == ["warehouse", "training", "safety", "forklift"]
    assert glossary.expand(fr) == [
        "warehouse", "distribution centre", "distribution center", "entrepôt", "entrepôts", "plateforme logistique",
        "training", "learning", "course", "courses", "formation", "formations", "apprentissage", "cours",
        "safety", "health and safety", "occupational safety", "sécurité", "santé et sécurité", "prévention",
        "sécurité au travail", "forklift", "forklifts", "chariot élévateur", "chariots élévateurs", "cariste",
        "caristes"]
    ai = "L'IA générative et le RGPD : quelles obligations pour l'employeur ?"
    assert glossary.english_gloss(ai) == ["artificial intelligence", "generative ai", "gdpr", "employer", "obligation"]
    assert glossary.english_gloss("Safety training for warehouse staff") == []
    assert glossary.expand("Safety training for warehouse staff")[:6] == [
        "warehouse", "distribution centre", "distribution center", "entrepôt", "entrepôts", "plateforme logistique"]


# --- a company's entries ------------------------------------------------------------------------------------

def test_a_config_entry_reaches_keyword_expansion_and_gloss(tmp_path):
    profile = "Infection control training for ward nurses"
    assert '"service de soins"' not in bm25.query_terms(profile, bilingual=True)
    assert glossary.english_gloss("Le service de soins intensifs") == []

    settings = load_settings(write_config(tmp_path, HOSPITAL))
    assert settings.glossary == (settings_mod.GlossaryEntry(("ward", "wards"), ("service de soins", "unité de soins")),)
    terms = bm25.query_terms(profile, bilingual=True)
    assert '"service de soins"' in terms and '"unite de soins"' in terms
    assert '"service de soins"' not in bm25.query_terms(profile, bilingual=False)
    assert glossary.english_gloss("Le service de soins intensifs") == ["ward"]
    assert text.query_text("Hygiène en unité de soins") == "Hygiène en unité de soins (ward)"

    load_settings(write_config(tmp_path, ""))  # the glossary is the last loaded config's
    assert glossary.active() is glossary.SHIPPED
    assert '"service de soins"' not in bm25.query_terms(profile, bilingual=True)


def test_extending_never_drops_a_shipped_pair(tmp_path):
    shipped_fr = "Formation sécurité en entrepôt pour les caristes"
    before = (glossary.english_gloss(shipped_fr), glossary.expand(shipped_fr))
    # a company pair on a shipped concept: "dépôt" becomes one more French word for warehouse
    load_settings(write_config(tmp_path, HOSPITAL + '[[glossary]]\nen = ["warehouse"]\nfr = ["dépôt"]\n'))
    active = glossary.active()
    assert active.pairs[:len(glossary.SHIPPED_PAIRS)] == glossary.SHIPPED_PAIRS
    assert active.pairs[len(glossary.SHIPPED_PAIRS):] == ((("ward", "wards"), ("service de soins", "unité de soins")),
                                                          (("warehouse",), ("dépôt",)))
    assert (glossary.english_gloss(shipped_fr), glossary.expand(shipped_fr)) == before  # no company concept in it
    expanded = glossary.expand("warehouse safety")
    assert "entrepôt" in expanded and "dépôt" in expanded
    assert glossary.english_gloss("Un entrepôt et un dépôt") == ["warehouse"]  # one gloss, not two


def test_terms_are_trimmed(tmp_path):
    settings = load_settings(write_config(tmp_path, '[[glossary]]\nen = [" ward "]\nfr = ["service de soins  "]\n'))
    assert settings.glossary[0].en == ("ward",) and settings.glossary[0].fr == ("service de soins",)


def test_the_demo_config_keeps_the_glossary(tmp_path):
    from demo.config import write_demo_config

    base = write_config(tmp_path, HOSPITAL)
    path = write_demo_config(tmp_path / "demo", [], app_port=8599, smtp_port=8025, base=base)
    assert load_settings(path).glossary == load_settings(base).glossary


BAD = [
    ('[[glossary]]\nen = []\nfr = ["service de soins"]\n', "glossary[0].en", "at least one term"),
    ('[[glossary]]\nen = ["ward"]\nfr = []\n', "glossary[0].fr", "at least one term"),
    ('[[glossary]]\nen = ["ward", 3]\nfr = ["service de soins"]\n', "glossary[0].en[1]", "expected a string"),
    ('[[glossary]]\nen = ["ward"]\nfr = ["  "]\n', "glossary[0].fr[0]", "letters or digits"),
    ('[[glossary]]\nen = ["ward"]\nfr = ["..."]\n', "glossary[0].fr[0]", "letters or digits"),
    ('[[glossary]]\nen = "ward"\nfr = ["service de soins"]\n', "glossary[0].en", "expected a list"),
    (HOSPITAL + '[[glossary]]\nen = ["nurse"]\n', "glossary[1].fr", "required key is missing"),
    ('[[glossary]]\nen = ["ward"]\nfr = ["service"]\nde = ["Station"]\n', "glossary[0].de", "unknown key"),
    ('[glossary]\nen = ["ward"]\nfr = ["service"]\n', "glossary", "expected a list"),
]


@pytest.mark.parametrize(("body", "key", "message"), BAD)
def test_a_bad_entry_is_one_line_naming_it(tmp_path, body, key, message):
    path = write_config(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    line = str(info.value)
    assert "\n" not in line and str(path) in line and f"{key}:" in line and message in line, line
    assert settings_mod.loaded_glossary() == ()  # a refused config changes nothing
    result = CliRunner().invoke(main, ["--config", str(path), "feeds", "list"])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and key in result.stderr and str(path) in result.stderr
