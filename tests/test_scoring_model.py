"""Model loading: the bundled default offline, clear one-line errors for anything else (no hang)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from config.errors import ModelError
from scoring.model import DEFAULT_MODEL, load_encoder, resolve_source


def test_default_model_loads_offline_and_embeds_normalised(encoder, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    x = encoder.encode_passages(["VR safety training for warehouse staff", "Spaced repetition on a phone"])
    assert x.shape == (2, 512) and x.dtype == np.float32 and encoder.dim == 512
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    assert load_encoder(DEFAULT_MODEL) is encoder  # cached once per process
    assert encoder.name == "use-multilingual-v3" and encoder.multilingual


def test_default_model_is_multilingual(encoder):
    """A French retelling is closer to its English original than to an unrelated English text (the English-only
    v1 default gave 0.017 for the first pair)."""
    fr, en, other = encoder.encode_passages([
        "Formation sécurité en réalité virtuelle pour les préparateurs de commandes de l'entrepôt",
        "VR safety training for warehouse order pickers",
        "Quarterly earnings of a football club beat expectations",
    ])
    assert float(fr @ en) > 0.5 > float(fr @ other)


def test_bundled_minilm_still_loads_through_sentence_transformers():
    mini = load_encoder("all-MiniLM-L6-v2")
    x = mini.encode_queries(["VR safety training"])
    assert x.shape == (1, 384) and not mini.multilingual


def test_unknown_hub_model_fails_fast_with_a_fix(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    started = time.monotonic()
    with pytest.raises(ModelError) as info:
        load_encoder("acme-labs/no-such-model-xyz")
    message = str(info.value)
    assert "not available offline" in message and "[scoring] model" in message
    assert "\n" not in message
    assert time.monotonic() - started < 30  # never waits on the network (offline mode)


def test_missing_local_path_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        resolve_source(str(tmp_path / "models" / "nothing" / "here"))


def test_e5_models_get_query_and_passage_prefixes(encoder):
    from scoring.model import _prefixes

    assert _prefixes("intfloat/multilingual-e5-small") == ("query: ", "passage: ")
    assert _prefixes("all-MiniLM-L6-v2") == ("", "")
