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


def test_the_work_bound_is_work_shared_evenly_by_the_cores():
    from bench_cold import work_bound

    # 32.4 s of CPU on 2 cores: at best 16.2 s; with a 1.35 s floor, 16.2 / 1.35 = 12 floors
    best, floors = work_bound(32.4, 2, 1.35)
    assert best == pytest.approx(16.2)
    assert floors == pytest.approx(12.0)
    assert work_bound(3.0, 1, 1.5) == pytest.approx((3.0, 2.0))


def test_a_kept_job_script_is_named_by_its_step():
    from bench_cold import script_step

    assert script_step(Path("/r/.snakemake/scripts/tmpab12cd34.manuscript.py")) == "manuscript"
    assert script_step(Path("tmp_x.y.run_notebooks.py")) == "run_notebooks"


def test_the_work_driver_times_each_script_in_one_interpreter(tmp_path):
    import json
    import subprocess

    from bench_cold import WORK_DRIVER

    busy = tmp_path / "tmp1.busy.py"  # burns CPU, then leaves through sys.exit(0)
    busy.write_text(
        "import sys, time\nt = time.process_time()\n"
        "while time.process_time() - t < 0.3:\n    pass\nsys.exit(0)\n"
    )
    marks = tmp_path / "tmp2.marks.py"  # sees the modules the first one imported
    marks.write_text(
        f"import sys\nopen({str(tmp_path / 'seen')!r}, 'w').write(str('pandas' in sys.modules))\n"
    )
    out = tmp_path / "work.json"
    subprocess.run([sys.executable, "-c", WORK_DRIVER, str(out), str(busy), str(marks)], check=True)
    measured = json.loads(out.read_text())
    assert [Path(p).name for p, _ in measured["steps"]] == ["tmp1.busy.py", "tmp2.marks.py"]
    assert measured["steps"][0][1] >= 0.3  # at least the CPU it burned
    assert measured["steps"][1][1] < measured["steps"][0][1]
    assert measured["imports"] > 0
    assert (tmp_path / "seen").read_text() == "True"  # one interpreter, stack imported once


def test_the_work_driver_stops_on_a_failing_script(tmp_path):
    import subprocess

    from bench_cold import WORK_DRIVER

    bad = tmp_path / "tmp1.bad.py"
    bad.write_text("import sys\nsys.exit(3)\n")
    proc = subprocess.run(
        [sys.executable, "-c", WORK_DRIVER, str(tmp_path / "w.json"), str(bad)],
        capture_output=True,
    )
    assert proc.returncode != 0 and not (tmp_path / "w.json").exists()


def test_the_workflow_table_replaces_only_its_marked_section(tmp_path):
    from bench_workflow import END, START, write_section

    doc = tmp_path / "performance.md"
    doc.write_text(f"intro\n{START}\nold table\n{END}\n\nprose that explains it\n")
    write_section(doc, "new table")
    assert doc.read_text() == f"intro\n{START}\nnew table\n{END}\n\nprose that explains it\n"
    fresh = tmp_path / "new.md"  # no page yet: the markers and the table only
    write_section(fresh, "t")
    assert fresh.read_text() == f"{START}\nt\n{END}\n"
