"""The stack description (config/stack.yaml): which nodes run, with what parameters.

Both ``genba run`` and ``launch/genba_sim.launch.py`` read it through :func:`load_stack`, so the
two ways of starting the stack cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from genba_common.errors import ConfigError
from genba_common.packages import package_dir
from genba_common.yaml_file import check_keys, read_yaml_mapping

NODE_KEYS = ("name", "package", "module", "executable", "params")  # required; "overrides" is optional
_VAR = re.compile(r"\$\{([A-Z_]+)\}")


class StackError(ConfigError):
    """Bad stack description; ``str()`` is one line naming the file and field."""


@dataclass(frozen=True)
class NodeSpec:
    name: str
    package: str
    module: str
    executable: str
    params_file: str
    overrides: dict = field(default_factory=dict)

    def ros_args(self) -> list[str]:
        args = ["--ros-args", "-r", f"__node:={self.name}", "--params-file", self.params_file]
        for k, v in self.overrides.items():
            args += ["-p", f"{k}:={_param_literal(v)}"]
        return args


@dataclass(frozen=True)
class Stack:
    name: str
    path: str
    nodes: tuple[NodeSpec, ...]
    record: tuple[str, ...]
    latency_stages: dict


def _param_literal(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        # Quote strings so that values such as "1.0" or "true" stay strings.
        return v if re.fullmatch(r"[A-Za-z_/][\w./\-]*", v) and v not in ("true", "false") else f"'{v}'"
    return str(v)


def default_stack_path() -> Path:
    return package_dir("genba_bringup") / "config" / "stack.yaml"


def substitute(value: object, variables: dict[str, str], where: str) -> object:
    if isinstance(value, str):
        def repl(m: re.Match) -> str:
            if m.group(1) not in variables:
                raise StackError(f"{where}: unknown substitution ${{{m.group(1)}}} "
                                 f"(known: {', '.join(sorted(variables))})")
            return variables[m.group(1)]
        return _VAR.sub(repl, value)
    return value


def load_stack(path: str | Path, variables: dict[str, str]) -> Stack:
    path = Path(path)
    data = read_yaml_mapping(path, "stack description", StackError)
    check_keys(data, ("name", "nodes", "record", "latency_stages"), str(path), StackError)
    if not isinstance(data.get("nodes"), list) or not data["nodes"]:
        raise StackError(f"{path}: field 'nodes': expected a non-empty list of nodes")
    nodes = []
    for i, n in enumerate(data["nodes"]):
        where = f"{path}: field 'nodes[{i}]'"
        if not isinstance(n, dict):
            raise StackError(f"{where}: expected a mapping")
        check_keys(n, (*NODE_KEYS, "overrides"), where, StackError)
        for key in NODE_KEYS:
            if not isinstance(n.get(key), str):
                raise StackError(f"{where}.{key}: is required and must be a string")
        pkg, rel = n["params"].split("/", 1) if "/" in n["params"] else (n["package"], n["params"])
        params = package_dir(pkg) / rel
        if not params.is_file():
            raise StackError(f"{where}.params: file not found: {params}")
        overrides = n.get("overrides") or {}
        if not isinstance(overrides, dict):
            raise StackError(f"{where}.overrides: expected a mapping")
        overrides = {k: substitute(v, variables, f"{where}.overrides.{k}") for k, v in overrides.items()}
        nodes.append(NodeSpec(n["name"], n["package"], n["module"], n["executable"], str(params), overrides))
    record = data.get("record") or []
    stages = data.get("latency_stages") or {}
    if not isinstance(record, list) or not all(isinstance(t, str) for t in record):
        raise StackError(f"{path}: field 'record': expected a list of topic names")
    if not isinstance(stages, dict):
        raise StackError(f"{path}: field 'latency_stages': expected a mapping stage -> topic")
    return Stack(str(data.get("name", path.stem)), str(path), tuple(nodes), tuple(record), dict(stages))
