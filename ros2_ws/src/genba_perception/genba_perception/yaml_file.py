"""Reading the project's YAML files (calibration, scenarios, stack, data policy) with one-line
errors that name the file, and the line and column of a syntax error."""

from __future__ import annotations

from pathlib import Path

import yaml


def read_yaml_mapping(path: str | Path, what: str, error: type[Exception]) -> dict:
    """The mapping at the top of ``path``; raises ``error`` with a one-line message otherwise."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{path}:{where} malformed YAML: {problem}") from None
    except OSError as exc:
        raise error(f"{path}: cannot read {what}: {exc.strerror}") from None
    if not isinstance(data, dict):
        raise error(f"{path}: expected a {what} mapping at top level, got {type(data).__name__}")
    return data
