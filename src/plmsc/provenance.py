"""Provenance of a cohort's results: inputs, code, environment and configuration.

:func:`build_provenance` collects, for ``results/<cohort>/provenance.json``:

- ``raw_files``: the SHA-256 of every raw export, under its date-free label
  (``lis/LIS_EXPORT_#2.csv``; :func:`plmsc.manifest.source_labels`), so that no
  pull date reaches the results;
- ``packages``: versions of the key packages (:data:`KEY_PACKAGES`) as installed
  in the environment that ran the step, and ``python``: its version;
- ``git``: the commit of the source tree and whether tracked files differ from it
  (``"unknown"`` when the code does not run from a git working copy);
- ``config``: the cohort's effective configuration (validated, defaults filled);
- ``decisions``: path and SHA-256 of the cohort's data-management decisions file
  (docs/data-management.md), or null without one.

The JSON is deterministic: sorted keys, no timestamps, LF line endings, so two
runs on the same inputs, code and environment write the same bytes.
:func:`summary_html` renders it for the index page and the reports.
"""

from __future__ import annotations

import html
import importlib.metadata
import json
import platform
import re
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from plmsc.manifest import raw_files, sha256_file, source_labels

#: Packages whose versions are recorded (the pinned key packages of envs/requirements.lock).
KEY_PACKAGES = (
    "snakemake",
    "pandas",
    "numpy",
    "pandera",
    "pingouin",
    "statsmodels",
    "seaborn",
    "matplotlib",
    "papermill",
    "tableone",
    "plmsc",
)
NOT_INSTALLED = "not installed"
UNKNOWN = "unknown"


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def package_versions(names: Iterable[str] = KEY_PACKAGES) -> dict[str, str]:
    """Installed version of each package, or ``"not installed"``."""
    versions = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = NOT_INSTALLED
    return versions


def _git(source_dir: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(source_dir), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def git_state(source_dir: str | Path) -> dict[str, Any]:
    """``{"commit": <HEAD sha or "unknown">, "dirty": <tracked changes? or None>}``.

    ``dirty`` is True when tracked files differ from the commit (untracked files
    are ignored); None when ``source_dir`` is not in a git working copy.
    """
    head = _git(Path(source_dir), "rev-parse", "HEAD")
    if head is None:
        return {"commit": UNKNOWN, "dirty": None}
    status = _git(Path(source_dir), "status", "--porcelain", "--untracked-files=no")
    return {"commit": head.strip(), "dirty": None if status is None else bool(status.strip())}


def raw_file_hashes(raw_dir: str | Path) -> dict[str, str]:
    """SHA-256 of every raw export of the folder (the files its manifest covers), by label."""
    raw_dir = Path(raw_dir)
    files = {p.relative_to(raw_dir).as_posix(): p for p in raw_files(raw_dir)}
    labels = source_labels(files)
    return {labels[rel]: sha256_file(path) for rel, path in files.items()}


def build_provenance(
    cohort: str,
    cohort_config: Mapping[str, Any],
    raw_dir: str | Path,
    git: Mapping[str, Any],
    packages: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The provenance record of one cohort (see the module docstring).

    ``git`` comes from :func:`git_state` (computed where the workflow is defined);
    ``packages`` defaults to the versions installed here.
    """
    return {
        "cohort": cohort,
        "config": withhold_dates(json.loads(json.dumps(cohort_config))),
        "git": dict(git),
        "packages": dict(packages if packages is not None else package_versions()),
        "python": platform.python_version(),
        "raw_files": raw_file_hashes(raw_dir),
        "decisions": decisions_hash(cohort_config),
    }


def decisions_hash(cohort_config: Mapping[str, Any]) -> dict[str, str] | None:
    """Path and SHA-256 of the cohort's data-management decisions file (config key
    ``decisions``, relative to the working directory), or None without one: the
    decisions change the analysis datasets as much as the raw files do."""
    path = cohort_config.get("decisions")
    if path is None:
        return None
    return {"path": str(path), "sha256": sha256_file(Path(path))}


def withhold_dates(value: Any) -> Any:
    """The config with every calendar-date string (YYYY-MM-DD) replaced by a marker.

    The effective config goes into results/, where no calendar date may appear; the
    only dates a config holds are simulation parameters, recorded in config.yaml.
    """
    if isinstance(value, dict):
        return {k: withhold_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [withhold_dates(v) for v in value]
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return "<date withheld>"
    return value


def to_json(provenance: Mapping[str, Any]) -> str:
    """Deterministic JSON text: sorted keys, 2-space indent, trailing newline."""
    return json.dumps(provenance, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def load_provenance(path: str | Path) -> dict[str, Any]:
    """Read a ``provenance.json``."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def summary_html(provenance: Mapping[str, Any]) -> str:
    """An HTML fragment (a ``<section>``) summarising the provenance record.

    Commit (and whether the working copy had changes), Python and package
    versions, and every raw file with its SHA-256; the configuration is left to
    the JSON file. Every value is escaped.
    """
    esc = html.escape
    git = provenance.get("git", {})
    dirty = git.get("dirty")
    state = {True: " (with uncommitted changes)", False: "", None: ""}[dirty]
    rows_pkg = "".join(
        f"<tr><td>{esc(k)}</td><td>{esc(str(v))}</td></tr>"
        for k, v in sorted(provenance.get("packages", {}).items())
    )
    rows_raw = "".join(
        f"<tr><td>{esc(k)}</td><td><code>{esc(v)}</code></td></tr>"
        for k, v in sorted(provenance.get("raw_files", {}).items())
    )
    return (
        f'<section class="provenance">\n'
        f"<h2>Provenance: {esc(str(provenance.get('cohort', '')))}</h2>\n"
        f"<p>Code: commit <code>{esc(str(git.get('commit', UNKNOWN)))}</code>{state}; "
        f"Python {esc(str(provenance.get('python', UNKNOWN)))}.</p>\n"
        f"<table><thead><tr><th>package</th><th>version</th></tr></thead>"
        f"<tbody>{rows_pkg}</tbody></table>\n"
        f"<table><thead><tr><th>raw file</th><th>SHA-256</th></tr></thead>"
        f"<tbody>{rows_raw}</tbody></table>\n"
        f"</section>\n"
    )
