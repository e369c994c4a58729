"""The one reader of genba's YAML files (calibration, scenarios, stack, data policy, manifests, node
defaults): one-line errors naming the file, and the line and column or key that is wrong.

It refuses what a hand-edited or hostile file can hold and a plain ``yaml.safe_load`` would take or
crash on: binary or non-UTF-8 bytes, documents over ``MAX_BYTES``, nesting deeper than
``MAX_DEPTH``, a key given twice in one mapping, and aliases (``*name``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

import yaml

from genba_common.errors import ConfigError

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys and aliases (``*name``: an alias bomb expands a few
    lines into billions of nodes)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"alias '*{event.anchor}' (anchors and aliases are not allowed)", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                mark = key_node.start_mark
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' given twice (first on line {seen[key] + 1})", mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep)


class KeyLines(dict):
    """A mapping read from YAML that remembers the line (1-based) of each of its keys, so a check of
    its keys can name the line (:func:`check_keys`). Otherwise a plain dict."""

    lines: dict


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode):
    data = KeyLines()
    data.lines = {}
    yield data
    data.update(loader.construct_mapping(node))
    for key_node, _ in node.value:
        data.lines[loader.construct_object(key_node)] = key_node.start_mark.line + 1


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
yaml.SafeDumper.add_representer(KeyLines, yaml.representer.SafeRepresenter.represent_dict)  # writes as a dict


def _depth(node: yaml.Node) -> int:
    """Nesting depth of a composed YAML node, without recursion."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        n, d = stack.pop()
        deepest = max(deepest, d)
        if d > MAX_DEPTH:
            return d
        if isinstance(n, yaml.SequenceNode):
            stack.extend((c, d + 1) for c in n.value)
        elif isinstance(n, yaml.MappingNode):
            stack.extend((v, d + 1) for _, v in n.value)
    return deepest


def read_yaml_mapping(path: str | Path, what: str, error: type[Exception] = ConfigError) -> dict:
    """The mapping at the top of ``path``; raises ``error`` with a one-line message otherwise."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise error(f"{path}: cannot read {what}: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise error(f"{path}: {what} is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    if b"\0" in raw:
        raise error(f"{path}: {what} is a binary file, not YAML")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: {what} is not UTF-8 text (byte {exc.start})") from None
    try:
        loader = _StrictLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None and _depth(node) > MAX_DEPTH:
                raise error(f"{path}: {what} is nested deeper than {MAX_DEPTH} levels")
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{path}:{where} malformed YAML: {problem}") from None
    except RecursionError:
        raise error(f"{path}: {what} is nested too deeply to read") from None
    if not isinstance(data, dict):
        raise error(f"{path}: expected a {what} mapping at top level, got {type(data).__name__}")
    return data


def check_keys(
    mapping: dict, allowed: Iterable[str], where: str, error: type[Exception] = ConfigError
) -> None:
    """Refuse keys of ``mapping`` not in ``allowed``, suggesting the nearest allowed one; the line is
    named when the mapping was read by :func:`read_yaml_mapping`."""
    allowed = list(allowed)
    for key in mapping:
        if key not in allowed:
            near = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else f" (known: {', '.join(allowed)})"
            line = getattr(mapping, "lines", {}).get(key)
            raise error(f"{where}{f', line {line}' if line else ''}: unknown key '{key}'{hint}")
