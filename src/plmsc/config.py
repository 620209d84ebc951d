"""Workflow configuration: load, validate against the JSON schema, fill defaults.

The Snakefile validates with ``snakemake.utils.validate``; code that runs outside
Snakemake (the simulator's command line, the tests) uses :func:`load_config`, which
applies the same schema and the same defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import deepcopy
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


def validate_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Return a validated copy of ``config`` with the schema's defaults filled in.

    Besides the JSON schema, checks what a schema cannot express: visit windows
    contain their target day and do not overlap, and assessment visits exist.
    """
    schema = _resolve_refs(yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8")))
    data = deepcopy(dict(config))
    validator = _with_defaults(jsonschema.Draft202012Validator)(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.absolute_path) or "<top level>"
        raise ConfigError(f"config key '{where}': {err.message}")
    for name, cohort in data["cohorts"].items():
        check_schedule(name, cohort)
        check_raw_source(name, cohort)
    return data


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
