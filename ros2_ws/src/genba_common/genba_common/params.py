"""Declared ROS parameters whose defaults live in one place: the node's YAML under its package's
``config/``.

A node declares each parameter with a description and, for numbers, a range; the default is read
from ``<package>/config/<node>.yaml`` (the file ``ros2 launch`` and ``genba run`` also pass as the
node's parameters). A parameter that the YAML lacks, or a YAML key that the node never declares,
is a :class:`ConfigError` at start-up, so the two cannot drift apart.

Every genba node reads its parameters once, at start-up, so each is declared read-only: ``ros2 param
set`` is refused with rclpy's reason ("Trying to set a read-only parameter"), never accepted and
then ignored. A new value takes a restart (or a launch with the override).
"""

from __future__ import annotations

from typing import Any

from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor

from genba_common.errors import ConfigError
from genba_common.packages import config_path
from genba_common.yaml_file import read_yaml_mapping


def declare(node: Any, name: str, default: Any, description: str,
            lo: float | None = None, hi: float | None = None, read_only: bool = False) -> Any:
    """Declare a parameter with a description (and range for numbers); return its value."""
    desc = ParameterDescriptor(description=description, read_only=read_only)
    if lo is not None and hi is not None and not isinstance(default, bool):
        if isinstance(default, int):
            desc.integer_range = [IntegerRange(from_value=int(lo), to_value=int(hi), step=0)]
        elif isinstance(default, float):
            desc.floating_point_range = [
                FloatingPointRange(from_value=float(lo), to_value=float(hi), step=0.0)
            ]
    from rclpy.exceptions import InvalidParameterTypeException, InvalidParameterValueException

    try:
        return node.declare_parameter(name, default, desc).value
    except InvalidParameterTypeException as exc:  # e.g. a string given for an integer
        raise ConfigError(f"parameter '{name}': {str(exc).split(':')[0]}") from None
    except InvalidParameterValueException:
        raise ConfigError(f"parameter '{name}': value out of range [{lo}, {hi}]") from None


def node_defaults(package: str, file: str) -> dict[str, Any]:
    """The ``ros__parameters`` of ``<package>/config/<file>``, whose one top-level key is ``/**`` (any
    node name and namespace, so a namespaced launch reads the same file)."""
    path = config_path(package, file)
    data = read_yaml_mapping(path, "node parameters")
    if len(data) != 1:
        raise ConfigError(
            f"{path}: expected one node name at top level, got {', '.join(map(str, data)) or 'none'}"
        )
    ((node_name, body),) = data.items()
    params = body.get("ros__parameters") if isinstance(body, dict) else None
    if not isinstance(params, dict):
        raise ConfigError(f"{path}: field '{node_name}.ros__parameters': expected a mapping")
    return params


def _flatten(params: dict, prefix: str = "") -> dict[str, Any]:
    """Nested mappings as ROS names them: ``{"teleop": {"topic": t}}`` is ``teleop.topic``."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


class Parameters:
    """Declares one node's parameters, with defaults from its YAML (:func:`node_defaults`)."""

    def __init__(self, node: Any, package: str, file: str) -> None:
        self.node, self.where = node, f"{package}/config/{file}"
        self.defaults = _flatten(node_defaults(package, file))
        self.declared: list[str] = []

    def __call__(
        self,
        name: str,
        description: str,
        lo: float | None = None,
        hi: float | None = None,
    ) -> Any:
        """Declare ``name`` read-only with its YAML default; return its value (the default or an override)."""
        if name not in self.defaults:
            raise ConfigError(f"{self.where}: no default for parameter '{name}'")
        default = self.defaults[name]
        if isinstance(lo, float) and isinstance(default, int) and not isinstance(default, bool):
            default = float(default)  # "timeout_ms: 250" in a hand-edited file is still a float parameter
        self.declared.append(name)
        return declare(self.node, name, default, description, lo, hi, read_only=True)

    def check_all_declared(self) -> None:
        """Raise if the YAML holds a default that the node never declared (a misspelt or stale key)."""
        extra = sorted(set(self.defaults) - set(self.declared))
        if extra:
            raise ConfigError(
                f"{self.where}: defaults for parameters the node does not have: {', '.join(extra)}"
            )
