"""The stack description (config/stack.yaml): which nodes run, with what parameters.

Both ``genba run`` and ``launch/genba_sim.launch.py`` read it through :func:`load_stack`, so the
two ways of starting the stack cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from genba_common.errors import ConfigError
from genba_common.packages import package_dir
from genba_common.yaml_file import check_keys, read_yaml_mapping

NODE_KEYS = ("name", "package", "module", "executable", "params")  # required; "overrides", "remap" optional
_VAR = re.compile(r"\$\{([A-Z_]+)\}")
_TOPIC = re.compile(r"/?[A-Za-z_~][\w/]*")


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
    remap: dict = field(default_factory=dict)  # topic -> topic, as ``-r from:=to``

    def ros_args(self) -> list[str]:
        args = ["--ros-args", "-r", f"__node:={self.name}", "--params-file", self.params_file]
        for src, dst in self.remap.items():
            args += ["-r", f"{src}:={dst}"]
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


STACKS = {"sim": "stack.yaml", "robot": "stack_robot.yaml"}  # names `genba run --stack` knows
EMULATED_DEVICES = "emulated_devices.yaml"  # the simulator as the robot's devices (genba run --emulate)
# What the robot stack's drivers need set to run on the emulated devices: the camera reads the newest
# frame the simulator wrote; the LD06's vendor noise filter is off, because the simulator makes no
# speckle for it to remove, and its 3 % grouping drops walls seen at grazing incidence (docs/lidar.md).
EMULATION_OVERRIDES = {"camera": {"follow": True}, "lidar": {"noise_filter": False}}


@dataclass(frozen=True)
class DeviceArgument:
    """A `genba run` option and launch argument that sets one node's device parameter."""

    node: str
    parameter: str
    description: str


DEVICE_ARGUMENTS = {
    "lidar_port": DeviceArgument("lidar", "port", "serial device of the LiDAR"),
    "lidar_model": DeviceArgument("lidar", "model", "LiDAR model (ld06, ld19, rplidar_a1, ...)"),
    "camera_source": DeviceArgument(
        "camera", "source", "camera: V4L2 device, gst: pipeline, video file or image folder"
    ),
    "controller_port": DeviceArgument("actuation_bridge", "port", "serial device of the motor controller"),
    "link_endpoint": DeviceArgument(
        "link_monitor", "endpoint", "what the link monitor probes: tcp://host:port or http[s]://host/path"
    ),
}


def default_stack_path() -> Path:
    return package_dir("genba_bringup") / "config" / STACKS["sim"]


def stack_path(name_or_path: str | None) -> Path:
    """A stack by name (``sim``, ``robot``) or path; None is the simulated stack."""
    if not name_or_path:
        return default_stack_path()
    if name_or_path in STACKS:
        return default_stack_path().with_name(STACKS[name_or_path])
    return Path(name_or_path)


def with_overrides(stack: Stack, overrides: dict[str, dict]) -> Stack:
    """``stack`` with parameters set per node name (nodes the stack does not have are skipped)."""
    nodes = tuple(
        replace(n, overrides={**n.overrides, **overrides[n.name]}) if n.name in overrides else n
        for n in stack.nodes
    )
    return replace(stack, nodes=nodes)


def device_overrides(arguments: dict[str, str | None]) -> dict[str, dict]:
    """Per-node parameters from the device arguments that were given (None and '' are not)."""
    out: dict[str, dict] = {}
    for arg, value in arguments.items():
        if value:
            dev = DEVICE_ARGUMENTS[arg]
            out.setdefault(dev.node, {})[dev.parameter] = value
    return out


def merged(stack: Stack, extra: Stack) -> Stack:
    """``stack`` and then ``extra``'s nodes, record topics and latency stages."""
    names = {n.name for n in stack.nodes}
    clash = [n.name for n in extra.nodes if n.name in names]
    if clash:
        raise StackError(f"{extra.path}: node '{clash[0]}' is already in {stack.path}")
    return replace(
        stack,
        nodes=stack.nodes + extra.nodes,
        record=stack.record + tuple(t for t in extra.record if t not in stack.record),
        latency_stages={**extra.latency_stages, **stack.latency_stages},
    )


def substitute(value: object, variables: dict[str, str | int], where: str) -> object:
    """``${VAR}`` references replaced; a value that is exactly one reference takes the variable's
    type (a port number stays an integer parameter)."""
    if isinstance(value, str):
        whole = _VAR.fullmatch(value)
        if whole and whole.group(1) in variables:
            return variables[whole.group(1)]
        def repl(m: re.Match) -> str:
            if m.group(1) not in variables:
                raise StackError(f"{where}: unknown substitution ${{{m.group(1)}}} "
                                 f"(known: {', '.join(sorted(variables))})")
            return str(variables[m.group(1)])
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
        check_keys(n, (*NODE_KEYS, "overrides", "remap"), where, StackError)
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
        remap = n.get("remap") or {}
        if not isinstance(remap, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and _TOPIC.fullmatch(k) and _TOPIC.fullmatch(v)
            for k, v in remap.items()
        ):
            raise StackError(f"{where}.remap: expected a mapping topic -> topic (names like wheel/odom)")
        nodes.append(
            NodeSpec(n["name"], n["package"], n["module"], n["executable"], str(params), overrides, remap)
        )
    record = data.get("record") or []
    stages = data.get("latency_stages") or {}
    if not isinstance(record, list) or not all(isinstance(t, str) for t in record):
        raise StackError(f"{path}: field 'record': expected a list of topic names")
    if not isinstance(stages, dict):
        raise StackError(f"{path}: field 'latency_stages': expected a mapping stage -> topic")
    return Stack(str(data.get("name", path.stem)), str(path), tuple(nodes), tuple(record), dict(stages))
