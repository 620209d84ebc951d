"""The benchmark scripts' shared helpers (benchmarks/timing.py)."""

from __future__ import annotations

import py_compile
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from timing import bytecode_warning


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package ``fresh_pkg`` on sys.path, without compiled bytecode."""
    source = tmp_path / "fresh_pkg" / "__init__.py"
    source.parent.mkdir()
    source.write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return source


def test_a_package_without_bytecode_is_reported(package):
    warning = bytecode_warning("fresh_pkg")
    assert warning is not None
    assert "fresh_pkg is not byte-compiled" in warning and "compileall" in warning


def test_a_byte_compiled_package_is_not_reported(package):
    py_compile.compile(str(package), doraise=True)  # writes __pycache__/__init__.*.pyc
    assert bytecode_warning("fresh_pkg") is None


def test_a_missing_built_in_or_frozen_module_is_not_reported():
    assert bytecode_warning("no_such_package_here") is None
    assert bytecode_warning("sys") is None  # built in
    assert bytecode_warning("zipimport") is None  # frozen
