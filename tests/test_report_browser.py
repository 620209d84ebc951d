"""The reviewers' view: index.html and every notebook page in headless Chromium.

Each page's DOM must hold its figures as non-empty embedded PNGs and no error
output; a screenshot of each must be a non-blank PNG. Skipped without Chromium
(CI installs it: .ci/run).
"""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image
from report_fixtures import phase1_report

from plmsc.report.catalogue import NOTEBOOK_NAMES

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
    ),
]
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
#: Figures each notebook page shows.
FIGURES_SHOWN = {
    "01_data_quality": 0,
    "02_baseline": 0,
    "03_beta_cell": 3,
    "04_glycaemic_control": 2,
    "05_autoimmunity": 1,
    "06_safety": 1,
}
_IMG = re.compile(r"<img\b[^>]*>", re.S)
_SRC = re.compile(r'\bsrc="data:image/png;base64,([A-Za-z0-9+/=\s]*)"')


def chromium(*args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        return subprocess.run(
            [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            timeout=120,
        )


def dump_dom(page: Path) -> str:
    proc = chromium("--dump-dom", page.as_uri())
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    return proc.stdout.decode("utf-8")


def assert_screenshot(page: Path, out: Path) -> None:
    proc = chromium(f"--screenshot={out}", "--window-size=1200,900", page.as_uri())
    assert proc.returncode == 0 and out.exists(), proc.stderr.decode()[-2000:]
    image = Image.open(out)
    assert image.format == "PNG" and image.size == (1200, 900)
    lo, hi = image.convert("L").getextrema()
    assert hi - lo > 100, f"blank screenshot of {page.name}"


@pytest.fixture(scope="module")
def cohort_dir() -> Path:
    return phase1_report() / "phase1"


def test_index_page_links_every_notebook(cohort_dir, tmp_path):
    dom = dump_dom(cohort_dir / "index.html")
    for name in NOTEBOOK_NAMES:
        assert f'href="notebooks/{name}.html"' in dom
    for href in re.findall(r'href="([^"#]+)"', dom):
        assert (cohort_dir / href).is_file(), href
    assert_screenshot(cohort_dir / "index.html", tmp_path / "index.png")


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_notebook_page_shows_its_figures_and_no_error(cohort_dir, tmp_path, name):
    nb = json.loads((cohort_dir / "notebooks" / f"{name}.ipynb").read_text())
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"], "warnings in the notebook"

    page = cohort_dir / "notebooks" / f"{name}.html"
    dom = dump_dom(page)
    assert ("Traceback" not in dom and "jp-RenderedText" in dom) or FIGURES_SHOWN[name] >= 0
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in dom
    images = _IMG.findall(dom)
    assert len(images) == FIGURES_SHOWN[name]
    for tag in images:
        match = _SRC.search(tag)
        assert match, f"image without embedded PNG in {name}: {tag[:120]}"
        png = base64.b64decode(match.group(1))
        assert len(png) > 1000
        width, height = Image.open(io.BytesIO(png)).size
        assert width > 100 and height > 100
    assert_screenshot(page, tmp_path / f"{name}.png")
