"""The reviewers' view: every page of a cohort's report in headless Chromium.

The landing page, every notebook, every manuscript table and every participant
profile: each page's figures must render (every <img> loaded with naturalWidth > 0,
checked by a script in a temporary copy of the page) and nothing may overflow the
window horizontally (wide tables scroll inside their own box); notebooks hold their
figures as embedded PNGs and no error output. A screenshot of each page is saved
under tests/artefacts/ (git-ignored) for a person to look at. Skipped without
Chromium (CI installs it: .ci/run).
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image
from report_fixtures import phase1_report

from plmsc.report.catalogue import FIGURES, NOTEBOOK_NAMES, NOTEBOOKS

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
#: Manuscript figures each notebook embeds (plmsc.report.catalogue).
FIGURES_SHOWN = {spec.name: len(spec.figures) for spec in NOTEBOOKS}
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
    proc = chromium(f"--screenshot={out}", f"--window-size={WINDOW[0]},{WINDOW[1]}", page.as_uri())
    assert proc.returncode == 0 and out.exists(), proc.stderr.decode()[-2000:]
    image = Image.open(out)
    assert image.format == "PNG" and image.size == WINDOW
    lo, hi = image.convert("L").getextrema()
    assert hi - lo > 100, f"blank screenshot of {page.name}"


#: Screenshots for a person to look at (git-ignored).
ARTEFACTS = Path(__file__).parent / "artefacts"
WINDOW = (1200, 900)
#: Appended to a temporary copy of a page: after load, records the images that did not
#: render and whether the document is wider than the window.
_CHECK = """<script>
window.addEventListener("load", () => {
  const imgs = Array.from(document.images);
  const broken = imgs.filter((i) => !(i.complete && i.naturalWidth > 0))
    .map((i) => i.alt || i.src.slice(0, 60));
  const doc = document.documentElement;
  const result = {
    images: imgs.length, broken: broken,
    scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth,
  };
  document.body.setAttribute("data-check", JSON.stringify(result));
});
</script>"""
_RESULT = re.compile(r'data-check="([^"]*)"')


def render_check(page: Path) -> dict:
    """Load a copy of ``page`` (same folder, so relative links resolve) with the check
    script and return its result: images, broken images, scroll and client width."""
    probe = page.with_name(f".{page.stem}.check.html")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", _CHECK + "</body>"))
    try:
        proc = chromium(
            f"--window-size={WINDOW[0]},{WINDOW[1]}", "--virtual-time-budget=10000",
            "--dump-dom", probe.as_uri(),
        )  # fmt: skip
    finally:
        probe.unlink(missing_ok=True)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    match = _RESULT.search(proc.stdout.decode("utf-8"))
    assert match, f"the check script did not run on {page.name}"
    return json.loads(html.unescape(match.group(1)))


def pages_of(cohort: Path) -> list[Path]:
    """Every page a reviewer opens: landing page, notebooks, tables, profiles."""
    return [
        cohort / "index.html",
        *sorted(cohort.glob("notebooks/*.html")),
        *sorted(cohort.glob("manuscript/*.html")),
        *sorted(cohort.glob("profiles/*.html")),
    ]


@pytest.fixture(scope="module")
def cohort_dir() -> Path:
    return phase1_report() / "phase1"


def test_every_page_renders_its_figures_and_fits_the_window(cohort_dir):
    pages = pages_of(cohort_dir)
    assert len(pages) >= 1 + len(NOTEBOOK_NAMES) + 4 + 2  # index, notebooks, tables, profiles
    ARTEFACTS.mkdir(exist_ok=True)
    problems = {}
    for page in pages:
        result = render_check(page)
        if result["broken"] or result["scrollWidth"] > result["clientWidth"] + 1:
            problems[str(page.relative_to(cohort_dir))] = result
        shot = ARTEFACTS / f"phase1_{page.parent.name}_{page.stem}.png"
        assert_screenshot(page, shot)
    assert not problems, problems
    landing = render_check(cohort_dir / "index.html")
    assert landing["images"] == len(FIGURES)  # one thumbnail per figure
    profile = render_check(cohort_dir / "profiles" / "P1-001.html")
    assert profile["images"] == 2


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
