"""watcher.imports: a library imported as if its optional extras were not installed."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from watcher.imports import import_without


@pytest.fixture
def library(tmp_path, monkeypatch):
    """A library `veil_lib` that uses `veil_extra` when it can import it."""
    (tmp_path / "veil_extra.py").write_text("VALUE = 42\n")
    (tmp_path / "veil_lib.py").write_text(textwrap.dedent("""
        try:
            import veil_extra
        except ImportError:
            veil_extra = None
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    for name in ("veil_lib", "veil_extra"):
        sys.modules.pop(name, None)


def test_extra_is_hidden_during_the_import_only(library):
    lib = import_without("veil_lib", ("veil_extra",))
    assert lib.veil_extra is None
    assert "veil_extra" not in sys.modules
    import veil_extra  # importable again afterwards

    assert veil_extra.VALUE == 42


def test_an_extra_already_loaded_is_left_alone(library):
    import veil_extra

    lib = import_without("veil_lib", ("veil_extra",))
    assert lib.veil_extra is veil_extra


def test_a_library_already_imported_is_returned_as_is(library):
    import veil_lib

    assert import_without("veil_lib", ("veil_extra",)) is veil_lib


def test_the_fetcher_does_not_load_httpx_command_line_extras():
    code = "import sys, watcher.fetcher; print(sorted(m for m in ('rich', 'pygments') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
