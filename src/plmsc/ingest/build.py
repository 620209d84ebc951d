"""Ingestion: a cohort's raw folder -> the analysis datasets and the reconciliation.

:func:`build_adam` reads the LIS pulls, the newest REDCap raw export and data
dictionary and, for a randomised cohort, ``randomisation.csv``; it returns the
frames of ``results/<cohort>/adam/`` and ``qc/reconciliation.csv``, validated with
the pandera schemas. :func:`write_adam` writes them. Nothing is written when the
input is bad (an :class:`~plmsc.ingest.errors.InputError` is raised first).

Reconciliation (one row per SRCFILE, DISPOSITION, REASON; rows read = kept +
excluded per file): kept LIS rows have REASON ``adlb``; REDCap event rows
``adsl/advs``, adverse-event instances ``adae``, hypoglycaemia instances
``adhypo``; data-dictionary entries ``data dictionary``; randomisation rows
``adsl``. Excluded: see :mod:`plmsc.ingest.labs` for the LIS reasons; older
REDCap exports and dictionaries ``superseded export``; instances of other
repeating instruments ``instrument not used by the analysis``; randomisation
rows of unknown records ``record not in REDCap``, and every row of a
randomisation list in a single-arm cohort ``not used (single-arm cohort)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pandas as pd

from plmsc.config import cohort_with_defaults
from plmsc.constants import BLINDED
from plmsc.endpoints.toxicity import derive_lab_toxicity
from plmsc.ingest import clinical, labs
from plmsc.ingest.csvfile import read_csv_file
from plmsc.ingest.decisions import (
    Applied,
    apply_lis_decisions,
    apply_redcap_decisions,
    empty_decisions,
    read_decisions,
    reconcile_decisions,
)
from plmsc.ingest.errors import InputError
from plmsc.ingest.exposure import derive_var_exposure, derive_var_infusion_reaction
from plmsc.ingest.plausibility import check_redcap_entries, plausibility_config
from plmsc.ingest.redcap import (
    Field,
    RowLocator,
    read_data_dictionary,
    read_redcap_export,
    validate_export,
)
from plmsc.ingest.reference import reference_defaults
from plmsc.ingest.schemas import SCHEMAS
from plmsc.ingest.strata import derive_var_site, derive_var_stratum
from plmsc.io import write_csv
from plmsc.manifest import MANIFEST_NAME, raw_files, source_labels
from plmsc.report.catalogue import cohort_csv

LIS_PATTERN = re.compile(r"^LIS_EXPORT_\d{8}\.csv$")
RANDOMISATION = "randomisation.csv"
ARMS = ("MSC", "PLACEBO")


@dataclass
class AdamDatasets:
    """The outputs of ingestion, in the order they are written."""

    adsl: pd.DataFrame
    adlb: pd.DataFrame
    adae: pd.DataFrame
    adhypo: pd.DataFrame
    advs: pd.DataFrame
    reconciliation: pd.DataFrame
    decisions: pd.DataFrame

    def items(self) -> list[tuple[str, pd.DataFrame]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self)]


@dataclass(frozen=True)
class RawFiles:
    """The files of a raw folder that ingestion reads, pulls and exports in name (date) order."""

    lis: list[Path]
    data: list[Path]
    dictionaries: list[Path]
    randomisation: Path | None


def find_raw_files(raw_dir: Path, project: str) -> RawFiles:
    """Locate LIS pulls, REDCap exports and dictionaries (docs/raw-exports.md file names)."""
    lis_dir, rc_dir = raw_dir / "lis", raw_dir / "redcap"
    data_re = re.compile(rf"^{re.escape(project)}_DATA_\d{{4}}-\d{{2}}-\d{{2}}_\d{{4}}\.csv$")
    dd_re = re.compile(rf"^{re.escape(project)}_DataDictionary_\d{{4}}-\d{{2}}-\d{{2}}\.csv$")

    def listing(folder: Path, pattern: re.Pattern[str]) -> list[Path]:
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.is_file() and pattern.match(p.name))

    rand = raw_dir / RANDOMISATION
    return RawFiles(
        lis=listing(lis_dir, LIS_PATTERN),
        data=listing(rc_dir, data_re),
        dictionaries=listing(rc_dir, dd_re),
        randomisation=rand if rand.is_file() else None,
    )


def unexpected_files(raw_dir: Path, found: RawFiles) -> list[Path]:
    """Files of the raw folder that ingestion would not read, in name order.

    Anything but the exports named as in docs/raw-exports.md, ``randomisation.csv``,
    the manifest and hidden files: a renamed or misplaced export (a pull saved as
    ``LIS_EXPORT_2019-07-02.csv``, another project's REDCap file) would otherwise
    be left out of the analysis without a trace.
    """
    known = {*found.lis, *found.data, *found.dictionaries, raw_dir / MANIFEST_NAME}
    if found.randomisation is not None:
        known.add(found.randomisation)
    return [
        p
        for p in sorted(Path(raw_dir).rglob("*"))
        if p.is_file()
        and p not in known
        and not any(part.startswith(".") for part in p.relative_to(raw_dir).parts)
    ]


_EXPORT_TIME = re.compile(r"_DATA_(\d{4}-\d{2}-\d{2}_\d{4})\.csv$")


def export_time(path: Path) -> pd.Timestamp:
    """When the REDCap export was made, from its name ``<PROJECT>_DATA_<YYYY-MM-DD_HHMM>.csv``."""
    match = _EXPORT_TIME.search(path.name)
    when = pd.to_datetime(match.group(1) if match else "", format="%Y-%m-%d_%H%M", errors="coerce")
    if pd.isna(when):
        raise InputError(
            str(path), "", "a file name <PROJECT>_DATA_<YYYY-MM-DD_HHMM>.csv with a real date"
        )
    return when


def count_csv_rows(path: Path) -> int:
    """Data rows of a CSV file (records, not lines: quoted line breaks are handled).

    The file passes the checks of :mod:`plmsc.ingest.csvfile` first, so a damaged
    superseded export is reported rather than miscounted.
    """
    return len(read_csv_file(path))


def _form_of(dictionary: Mapping[str, Field], name: str) -> str | None:
    f = dictionary.get(name)
    return f.form if f is not None else None


def read_randomisation(path: Path, records: pd.Series) -> pd.DataFrame:
    """randomisation.csv (record_id, arm, rand_date) restricted to known records.

    Returns record_id, arm and ``_known`` (record in REDCap). An arm other than MSC
    or PLACEBO, or a record listed twice, is an InputError.
    """
    df = read_csv_file(path)
    for col in ("record_id", "arm"):
        if col not in df.columns:
            raise InputError(str(path), col, "columns record_id, arm, rand_date", line=1)
    lines = pd.Series(range(2, len(df) + 2), index=df.index)
    bad = ~df["arm"].isin(ARMS)
    if bad.any():
        i = bad.idxmax()
        raise InputError(
            str(path), "arm", "MSC or PLACEBO", line=int(lines[i]), found=df.at[i, "arm"]
        )
    dup = df["record_id"].duplicated()
    if dup.any():
        i = dup.idxmax()
        raise InputError(
            str(path),
            "record_id",
            "one row per record",
            line=int(lines[i]),
            found=df.at[i, "record_id"],
        )
    df["_known"] = df["record_id"].isin(set(records))
    return df


def derive_arm(
    cohort_cfg: Mapping[str, Any], subjects: pd.DataFrame, rand: pd.DataFrame | None, path: str
) -> pd.Series:
    """ARM: the cohort's ``arm``; MSC/PLACEBO from randomisation.csv; else BLINDED.

    docs/raw-exports.md, "Randomisation list": without the list a two-arm cohort is analysed
    blinded and nothing fails. With it, every infused participant must be listed.
    """
    if cohort_cfg["design"] == "single_arm":
        return pd.Series(cohort_cfg["arm"], index=subjects.index, dtype="str")
    if rand is None:
        return pd.Series(BLINDED, index=subjects.index, dtype="str")
    arm = subjects["record_id"].map(rand.set_index("record_id")["arm"])
    missing = arm.isna() & subjects["infusion"].notna()
    if missing.any():
        rec = subjects.loc[missing, "record_id"].iloc[0]
        raise InputError(path, "record_id", f"a row for infused participant {rec}")
    return arm.fillna("NOT RANDOMISED").astype("str")


class Reconciliation:
    """Every raw row kept or excluded, counted per source file (its date-free label),
    disposition and reason."""

    def __init__(self, raw_dir: Path) -> None:
        self.raw_dir = raw_dir
        self.labels = source_labels(p.relative_to(raw_dir).as_posix() for p in raw_files(raw_dir))
        self.parts: list[pd.DataFrame] = []

    def label(self, path: Path) -> str:
        """The date-free label of a raw file (``lis/LIS_EXPORT_#2.csv``)."""
        return self.labels[path.relative_to(self.raw_dir).as_posix()]

    def add(self, path: Path, disposition: str, reason: str, n: int) -> None:
        """Count ``n`` rows of ``path`` as ``disposition`` (kept, excluded) for ``reason``."""
        self.parts.append(
            pd.DataFrame(
                {
                    "SRCFILE": [self.label(path)],
                    "DISPOSITION": [disposition],
                    "REASON": [reason],
                    "N": [n],
                }
            )
        )

    def frame(self, lis: pd.DataFrame) -> pd.DataFrame:
        """The reconciliation: the LIS rows' counts ``lis`` and every count added here,
        sorted by SRCFILE, DISPOSITION, REASON."""
        out = pd.concat([lis, *self.parts], ignore_index=True)
        out["N"] = out["N"].astype("int64")
        for col in ("SRCFILE", "DISPOSITION", "REASON"):
            out[col] = out[col].astype("str")
        out = out.sort_values(["SRCFILE", "DISPOSITION", "REASON"], kind="stable")
        return out.reset_index(drop=True)


def check_raw_folder(raw_dir: Path, project: str) -> RawFiles:
    """The raw files to read; an InputError when the REDCap export or dictionary is
    missing, or when the folder holds a file ingestion would not read."""
    found = find_raw_files(raw_dir, project)
    if not found.data:
        raise InputError(
            str(raw_dir / "redcap"), "file", f"a REDCap export {project}_DATA_<YYYY-MM-DD_HHMM>.csv"
        )
    if not found.dictionaries:
        raise InputError(
            str(raw_dir / "redcap"),
            "file",
            f"a REDCap data dictionary {project}_DataDictionary_<YYYY-MM-DD>.csv",
        )
    stray = unexpected_files(raw_dir, found)
    if stray:
        raise InputError(
            str(stray[0]),
            "",
            "only the exports of docs/raw-exports.md in the raw folder: "
            "lis/LIS_EXPORT_<YYYYMMDD>.csv, "
            f"redcap/{project}_DATA_<YYYY-MM-DD_HHMM>.csv, "
            f"redcap/{project}_DataDictionary_<YYYY-MM-DD>.csv, randomisation.csv "
            "(a file ingestion would not read)",
        )
    return found


@dataclass
class RedcapExport:
    """The REDCap export read and checked: its rows (decisions applied), the data
    dictionary, the export's path and each row's decision reason (empty if none)."""

    rc: pd.DataFrame
    dictionary: Any
    path: Path
    decided: pd.Series


def read_redcap(
    found: RawFiles,
    decided: pd.DataFrame,
    decisions: str | Path | None,
    applied: Applied,
    schedule: Sequence[Mapping[str, Any]],
    recon: Reconciliation,
) -> RedcapExport:
    """The newest data dictionary and export by name (the others counted as superseded),
    decisions applied, validated against the dictionary and the schedule's events."""
    dd_path, data_path = found.dictionaries[-1], found.data[-1]
    for old in [*found.dictionaries[:-1], *found.data[:-1]]:
        recon.add(old, "excluded", "superseded export", count_csv_rows(old))
    dictionary = read_data_dictionary(dd_path, str(dd_path))
    recon.add(dd_path, "kept", "data dictionary", count_csv_rows(dd_path))
    rc = read_redcap_export(data_path, str(data_path))
    rc, rc_decided = apply_redcap_decisions(
        rc, decided, dictionary, recon.label(data_path), str(decisions), applied
    )
    events = [v["event"] for v in schedule]
    validate_export(rc, dictionary, events, str(data_path))
    clinical.check_record_fields(rc, str(data_path))
    return RedcapExport(rc, dictionary, data_path, rc_decided)


def check_unique_mrn(export: RedcapExport, subjects: pd.DataFrame) -> None:
    """InputError for an MRN shared by two records (it links the LIS to one record)."""
    rc = export.rc
    dup_mrn = subjects["mrn"].notna() & subjects["mrn"].duplicated(keep=False)
    RowLocator(rc, str(export.path)).check(
        (rc["record_id"].isin(subjects.loc[dup_mrn, "record_id"])) & (rc.get("mrn", "") != ""),
        "mrn",
        "an MRN that belongs to one record only",
        show_value=False,
    )


def check_redcap_plausibility(
    export: RedcapExport,
    subjects: pd.DataFrame,
    visits: pd.DataFrame,
    schedule: Sequence[Mapping[str, Any]],
    hypo_glucose_max: float,
) -> None:
    """InputErrors for the entry errors of the eCRF (dates, weights, doses,
    hypoglycaemia glucose)."""
    screening_event = min(schedule, key=lambda v: v["day"])["event"]
    clinical.check_plausibility(
        export.rc, subjects, visits, screening_event, str(export.path), export_time(export.path)
    )
    check_redcap_entries(export.rc, str(export.path), hypo_glucose_max)


def reconcile_redcap_rows(export: RedcapExport, recon: Reconciliation) -> tuple[str, str]:
    """Count every REDCap row by the dataset it feeds (or why it is excluded); return the
    adverse-event and hypoglycaemia instruments' names."""
    rc, dictionary, data_path = export.rc, export.dictionary, export.path
    ae_form = _form_of(dictionary, "ae_term")
    hypo_form = _form_of(dictionary, "hypo_datetime")
    rep = rc["redcap_repeat_instrument"]
    rc_reason = pd.Series("adsl/advs", index=rc.index, dtype="str")
    rc_disp = pd.Series("kept", index=rc.index, dtype="str")
    rc_reason[rep == ae_form] = "adae"
    rc_reason[rep == hypo_form] = "adhypo"
    other = (rep != "") & ~rep.isin([ae_form, hypo_form])
    rc_reason[other] = "instrument not used by the analysis"
    rc_disp[other] = "excluded"
    rc_reason = rc_reason.str.cat(export.decided, na_rep="")
    counts = (
        pd.DataFrame({"DISPOSITION": rc_disp, "REASON": rc_reason})
        .groupby(["DISPOSITION", "REASON"])
        .size()
    )
    for (disp, reason), n in counts.items():
        recon.add(data_path, str(disp), str(reason), int(n))
    if rc.empty:
        recon.add(data_path, "kept", "adsl/advs", 0)
    return ae_form, hypo_form


def read_randomisation_list(
    found: RawFiles, subjects: pd.DataFrame, design: str, recon: Reconciliation
) -> pd.DataFrame | None:
    """The randomisation rows of known records (a randomised cohort once unblinded),
    else None; rows of a single-arm cohort or of unknown records are counted excluded."""
    if found.randomisation is None:
        return None
    rand = read_randomisation(found.randomisation, subjects["record_id"])
    if design == "single_arm":
        recon.add(found.randomisation, "excluded", "not used (single-arm cohort)", len(rand))
        return None
    n_known = int(rand["_known"].sum())
    recon.add(found.randomisation, "kept", "adsl", n_known)
    if n_known < len(rand):
        recon.add(found.randomisation, "excluded", "record not in REDCap", len(rand) - n_known)
    return rand[rand["_known"]]


def derive_adlb_from_pulls(
    found: RawFiles,
    subjects: pd.DataFrame,
    cohort_cfg: Mapping[str, Any],
    decided: pd.DataFrame,
    decisions: str | Path | None,
    applied: Applied,
    limits: Any,
    recon: Reconciliation,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ADLB (with CTCAE grades) from the LIS pulls, decisions applied, and the counts of
    the LIS rows for the reconciliation."""
    lis_labels = [recon.label(p) for p in found.lis]
    lis = labs.read_lis_pulls(found.lis)
    linked = subjects[subjects["mrn"].notna()]
    lis = apply_lis_decisions(
        lis,
        decided,
        [str(p) for p in found.lis],
        lis_labels,
        dict(zip(linked["mrn"], linked["record_id"], strict=True)),
        str(decisions),
        applied,
    )
    adlb, lis_recon = labs.derive_adlb(
        lis,
        [str(p) for p in found.lis],
        lis_labels,
        subjects,
        cohort_cfg["schedule"],
        cohort_cfg["analysis"]["blq"],
        limits,
        reference_defaults(cohort_cfg["analysis"].get("reference_ranges")),
    )
    adlb = derive_lab_toxicity(adlb)
    return adlb, reconcile_decisions(lis_recon, adlb, applied, lis_labels)


def build_adam(
    cohort_cfg: Mapping[str, Any],
    raw_dir: str | Path,
    decisions: str | Path | None = None,
) -> AdamDatasets:
    """All analysis datasets of one cohort from its raw folder (see the module docstring).

    ``decisions``: the cohort's data-management decisions file
    (:mod:`plmsc.ingest.decisions`); default: the config's ``decisions`` path
    (relative to the working directory, as in the workflow), else none.

    Steps: check the raw folder; read and check the REDCap export (decisions
    applied); derive subjects and visits and check their plausibility; count the
    REDCap rows; read the randomisation list; derive ADSL, ADVS, ADAE, ADHYPO; derive
    ADLB from the LIS pulls; complete ADSL with exposure and infusion reactions;
    validate every dataset with its pandera schema.
    """
    raw_dir = Path(raw_dir)
    cohort_cfg = cohort_with_defaults(cohort_cfg)
    decisions = decisions if decisions is not None else cohort_cfg.get("decisions")
    decided = empty_decisions() if decisions is None else read_decisions(decisions)
    applied = Applied()
    schedule = cohort_cfg["schedule"]
    limits, hypo_glucose_max = plausibility_config(cohort_cfg)
    found = check_raw_folder(raw_dir, cohort_cfg["redcap_project"])
    recon = Reconciliation(raw_dir)

    export = read_redcap(found, decided, decisions, applied, schedule, recon)
    subjects = clinical.derive_subjects(export.rc)
    check_unique_mrn(export, subjects)
    visits = clinical.derive_visits(export.rc, subjects, schedule)
    check_redcap_plausibility(export, subjects, visits, schedule, hypo_glucose_max)
    ae_form, hypo_form = reconcile_redcap_rows(export, recon)

    rand = read_randomisation_list(found, subjects, cohort_cfg["design"], recon)
    rand_path = str(found.randomisation or raw_dir / RANDOMISATION)
    arm = derive_arm(cohort_cfg, subjects, rand, rand_path)

    adsl = clinical.derive_adsl(subjects, visits, arm)
    advs = clinical.derive_advs(visits)
    adae = clinical.derive_adae(export.rc, subjects, ae_form)
    adhypo = clinical.derive_adhypo(export.rc, subjects, hypo_form)
    adlb, lis_recon = derive_adlb_from_pulls(
        found, subjects, cohort_cfg, decided, decisions, applied, limits, recon
    )
    adsl = derive_var_exposure(adsl, visits, adlb, adae, adhypo, schedule)
    adsl = derive_var_infusion_reaction(adsl, adae)
    adsl = derive_var_site(adsl, export.rc, str(export.path))
    adsl = derive_var_stratum(adsl, rand, rand_path)

    out = AdamDatasets(adsl, adlb, adae, adhypo, advs, recon.frame(lis_recon), applied.frame())
    validate_datasets(out)
    return out


def validate_datasets(datasets: AdamDatasets) -> None:
    """Validate every dataset that has a pandera schema (:data:`SCHEMAS`); a
    violation raises pandera's SchemaError."""
    for name, frame in datasets.items():
        if name in SCHEMAS:
            SCHEMAS[name].validate(frame)


def write_adam(datasets: AdamDatasets, out_dir: str | Path) -> list[Path]:
    """Write adam/<name>.csv, qc/reconciliation.csv and qc/decisions.csv under ``out_dir``."""
    out_dir = Path(out_dir)
    written = []
    for name, frame in datasets.items():
        written.append(write_csv(frame, cohort_csv(str(out_dir), name)))
    return written
