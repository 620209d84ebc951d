"""Workflow configuration: load, validate against the JSON schema, fill defaults.

The Snakefile (``workflow/rules/common.smk``) and code that runs outside Snakemake
(the simulator's command line, the tests, :func:`load_config`) validate with
:func:`validate_config`: the same schema, the same defaults. A problem is a
:class:`ConfigError` of one line: the key path, what is wrong, the allowed values
or keys and, for a near miss, "did you mean ...?" (difflib), never a dump of the
schema.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from copy import deepcopy
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import jsonschema
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO_ROOT / "workflow" / "schemas" / "config.schema.yaml"


class ConfigError(ValueError):
    """The configuration does not follow the schema; the message names the key."""


def _with_defaults(validator_class: type) -> type:
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):  # type: ignore[no-untyped-def]
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if "default" in sub:
                    instance.setdefault(name, deepcopy(sub["default"]))
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


def _resolve_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Inline the schema's local ``#/$defs/...`` references (it has no remote ones)."""
    defs = schema.get("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return walk(defs[ref.removeprefix("#/$defs/")])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


@cache
def _schema() -> dict[str, Any]:
    """The config schema with its local references inlined (read once).

    Read with libyaml's loader when PyYAML has it (the same data, about 7 times
    faster than the pure-Python one: every start of the workflow reads the schema).
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return _resolve_refs(yaml.load(SCHEMA_PATH.read_text(encoding="utf-8"), Loader=loader))


def _filled(node: Mapping[str, Any], values: Mapping[str, Any] | None) -> dict[str, Any]:
    data = deepcopy(dict(values or {}))
    # Iterating the errors walks the whole instance, filling every default on the way;
    # the errors themselves are validate_config's business.
    for _ in _with_defaults(jsonschema.Draft202012Validator)(node).iter_errors(data):
        pass
    return data


def cohort_with_defaults(cohort: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of one cohort entry with the schema's defaults filled in (arm, analysis
    settings, plausibility, ...): the schema is the only source of config defaults, so
    code reads ``cohort["arm"]``, never a default of its own."""
    return _filled(_schema()["$defs"]["cohort"], cohort)


def analysis_with_defaults(analysis: Mapping[str, Any] | None) -> dict[str, Any]:
    """A copy of a cohort's ``analysis`` block with the schema's defaults filled in."""
    return _filled(_schema()["$defs"]["cohort"]["properties"]["analysis"], analysis)


def validate_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Return a validated copy of ``config`` with the schema's defaults filled in.

    Besides the JSON schema, checks what a schema cannot express: visit windows
    contain their target day and do not overlap, and assessment visits exist.
    """
    schema = _schema()
    data = deepcopy(dict(config))
    validator = _with_defaults(jsonschema.Draft202012Validator)(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        raise ConfigError(describe_schema_error(errors[0], data))
    for name, cohort in data["cohorts"].items():
        check_schedule(name, cohort)
        check_raw_source(name, cohort)
        check_plausibility_limits(name, cohort)
        check_decisions_path(name, cohort)
    return data


JSON_TYPES = {
    dict: "a mapping",
    list: "a list",
    str: "a string",
    bool: "true/false",
    int: "an integer",
    float: "a number",
    type(None): "null",
}


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def did_you_mean(word: Any, allowed: Iterable[Any]) -> str:
    """``; did you mean 'x'?`` for the closest allowed value (difflib), else empty."""
    options = [str(a) for a in allowed]
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _at(data: Any, path: Iterable[Any]) -> Any:
    for part in path:
        data = data[part]
    return data


def describe_schema_error(err: jsonschema.ValidationError, data: Any) -> str:
    """One line for a schema violation: key path, what is wrong, allowed values, near miss."""
    path = [str(p) for p in err.absolute_path]
    where = "/".join(path) or "<top level>"
    kind, value = err.validator, err.instance
    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = list(err.schema.get("properties", {}))
        unknown = next(k for k in value if k not in allowed)
        key = "/".join([*path, str(unknown)])
        return (
            f"config key '{key}': unknown key; allowed here: {', '.join(allowed)}"
            f"{did_you_mean(unknown, allowed)}"
        )
    if kind == "enum":
        allowed = err.validator_value
        parent = _at(data, err.absolute_path)
        if isinstance(parent, dict) and value in parent:  # a key checked by propertyNames
            return (
                f"config key '{where}/{value}': unknown key; allowed here: "
                f"{', '.join(map(str, allowed))}{did_you_mean(value, allowed)}"
            )
        return (
            f"config key '{where}': {_short(value)} is not one of the allowed values "
            f"{', '.join(map(str, allowed))}{did_you_mean(value, allowed)}"
        )
    if kind == "type":
        wanted = err.validator_value
        wanted = " or ".join(wanted) if isinstance(wanted, list) else wanted
        found = JSON_TYPES.get(type(value), type(value).__name__)
        return f"config key '{where}': expected {wanted}, found {found} {_short(value)}"
    if kind == "required":
        missing = [k for k in err.validator_value if k not in value]
        return f"config key '{where}': missing required key '{missing[0]}'"
    message = " ".join(err.message.split())
    if len(message) > 160:
        message = f"{_short(value)} does not satisfy {kind} {_short(err.validator_value)}"
    return f"config key '{where}': {message}"


def check_plausibility_limits(name: str, cohort: Mapping[str, Any]) -> None:
    """Units of ``plausibility.lab`` belong to their test, and low <= high."""
    from plmsc.ingest.limits import PLAUSIBLE_LIMITS

    lab = cohort.get("plausibility", {}).get("lab", {})
    for code, units in lab.items():
        allowed = list(PLAUSIBLE_LIMITS[code])
        for unit, (low, high) in units.items():
            key = f"cohorts/{name}/plausibility/lab/{code}/{unit}"
            if unit not in allowed:
                raise ConfigError(
                    f"config key '{key}': unknown unit of {code}; allowed here: "
                    f"{', '.join(allowed)}{did_you_mean(unit, allowed)}"
                )
            if high is not None and high < low:
                raise ConfigError(f"config key '{key}': low {low} is above high {high}")


def check_decisions_path(name: str, cohort: Mapping[str, Any]) -> None:
    """The decisions file lives beside the config, never under data/raw or the raw folder.

    Raw folders hold the exports as received, read-only; a decision is the study
    team's, so it is kept with the configuration.
    """
    path = cohort.get("decisions")
    if path is None:
        return
    parts = Path(path).parts
    raw_dir = cohort.get("raw_dir")
    under_raw = any(parts[i : i + 2] == ("data", "raw") for i in range(len(parts)))
    if raw_dir is not None:
        try:
            Path(path).resolve().relative_to(Path(raw_dir).resolve())
            under_raw = True
        except ValueError:
            pass
    if under_raw:
        raise ConfigError(
            f"config key 'cohorts/{name}/decisions': {path!r} is under data/raw; expected a "
            "file beside the config (e.g. config/decisions/<cohort>.csv): raw folders hold "
            "the exports as received"
        )


def check_raw_source(name: str, cohort: Mapping[str, Any]) -> None:
    """A cohort reads a raw folder, or has its exports simulated in the workflow."""
    simulated = cohort.get("simulation", {}).get("in_workflow", False)
    if not simulated and "raw_dir" not in cohort:
        raise ConfigError(
            f"config key 'cohorts/{name}': expected 'raw_dir' (or simulation.in_workflow: true)"
        )


def check_schedule(name: str, cohort: Mapping[str, Any]) -> None:
    """Raise ConfigError when a cohort's visit schedule is inconsistent."""
    visits = cohort["schedule"]
    labels = [v["visit"] for v in visits]
    for key in ("visit", "event", "day"):
        values = [v[key] for v in visits]
        dup = sorted({x for x in values if values.count(x) > 1}, key=str)
        if dup:
            raise ConfigError(f"config key 'cohorts/{name}/schedule': duplicate {key} {dup}")
    for v in visits:
        lo, hi = v["window"]
        if not lo <= v["day"] <= hi:
            raise ConfigError(
                f"config key 'cohorts/{name}/schedule': visit '{v['visit']}' window "
                f"[{lo}, {hi}] does not contain its target day {v['day']}"
            )
    ordered = sorted(visits, key=lambda v: v["window"][0])
    for a, b in pairwise(ordered):
        if b["window"][0] <= a["window"][1]:
            raise ConfigError(
                f"config key 'cohorts/{name}/schedule': windows of '{a['visit']}' "
                f"{a['window']} and '{b['visit']}' {b['window']} overlap"
            )
    for kind, wanted in cohort["assessments"].items():
        unknown = [w for w in wanted if w not in labels]
        if unknown:
            raise ConfigError(
                f"config key 'cohorts/{name}/assessments/{kind}': unknown visits {unknown}; "
                f"the schedule has {labels}"
            )


def load_config(*paths: str | Path) -> dict[str, Any]:
    """Load and merge YAML config files (later files win, as with ``--configfile``)."""
    merged: dict[str, Any] = {}
    for path in paths or (REPO_ROOT / "config.yaml",):
        text = Path(path).read_text(encoding="utf-8")
        _merge(merged, yaml.safe_load(text) or {})
    return validate_config(merged)


def _merge(into: dict[str, Any], new: Mapping[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = deepcopy(value)
