"""The one YAML reader: one line naming the file and what is wrong, for anything a hand-edited or
hostile file can hold."""

import pytest

from genba_common.errors import ConfigError
from genba_common.yaml_file import MAX_BYTES, check_keys, read_yaml_mapping


class OtherError(ConfigError):
    pass


def _one_line(exc: pytest.ExceptionInfo, path) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(str(path)), msg
    return msg


@pytest.mark.parametrize(("content", "needle"), [
    (b"a: 1\nb: [1, 2\n", "malformed YAML"),
    (b"\x00\x01binary\xff", "binary file"),
    (b"a: caf\xe9\n", "not UTF-8"),
    (b"a: 1\nb: 2\na: 3\n", "key 'a' given twice (first on line 1)"),
    (b"[" * 5000 + b"]" * 5000, "nested"),
    (b"- 1\n- 2\n", "expected a scenario mapping at top level, got list"),
    (b"", "got NoneType"),
])
def test_bad_files_give_one_line_naming_the_file(tmp_path, content, needle):
    f = tmp_path / "bad.yaml"
    f.write_bytes(content)
    with pytest.raises(ConfigError) as e:
        read_yaml_mapping(f, "scenario")
    assert needle in _one_line(e, f)


def test_nesting_and_size_limits(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 80 + "]" * 80 + "\n")
    with pytest.raises(ConfigError, match="nested deeper than 64 levels"):
        read_yaml_mapping(deep, "stack description")
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: '" + b"x" * MAX_BYTES + b"'\n")
    with pytest.raises(ConfigError, match="larger than"):
        read_yaml_mapping(big, "stack description")


def test_missing_file_and_the_callers_error_type(tmp_path):
    with pytest.raises(OtherError, match="cannot read data policy: No such file"):
        read_yaml_mapping(tmp_path / "nope.yaml", "data policy", OtherError)
    good = tmp_path / "good.yaml"
    good.write_text("name: hall\nnested: {a: [1, 2, {b: 3}]}\n")
    assert read_yaml_mapping(good, "scenario") == {"name": "hall", "nested": {"a": [1, 2, {"b": 3}]}}


def test_unknown_keys_are_refused_with_the_nearest_known_one():
    check_keys({"name": 1, "seed": 2}, ("name", "seed", "people"), "f.yaml")
    with pytest.raises(ConfigError, match=r"f.yaml: unknown key 'peopel' \(did you mean 'people'\?\)"):
        check_keys({"peopel": 3}, ("name", "seed", "people"), "f.yaml")
    with pytest.raises(ConfigError, match=r"unknown key 'zzz' \(known: name, seed\)"):
        check_keys({"zzz": 3}, ("name", "seed"), "f.yaml")


def test_aliases_are_refused_so_an_alias_bomb_cannot_expand(tmp_path):
    p = tmp_path / "bomb.yaml"
    rows = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    pairs = zip("abcdefgh", "bcdefghi", strict=True)
    rows += [f"{k}: &{k} [{', '.join([f'*{prev}'] * 9)}]" for prev, k in pairs]
    p.write_text("\n".join(rows) + "\n")
    with pytest.raises(ConfigError, match=r"line 2, column \d+: malformed YAML: alias '\*a'"):
        read_yaml_mapping(p, "scenario")


def test_an_unknown_key_is_named_with_its_line(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("name: x\nnested:\n  seed: 1\n  sede: 2\n")
    data = read_yaml_mapping(p, "scenario")
    assert data == {"name": "x", "nested": {"seed": 1, "sede": 2}}
    with pytest.raises(ConfigError, match=r"^f.yaml, line 4: unknown key 'sede' \(did you mean 'seed'\?\)$"):
        check_keys(data["nested"], ("seed",), "f.yaml")
