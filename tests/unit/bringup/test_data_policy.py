import pytest

from genba_bringup.data_policy import DataPolicyError, load_data_policy
from genba_bringup.monitor import McapRecorder
from genba_bringup.stack import default_stack_path

POLICY = default_stack_path().with_name("data_policy.yaml")


def test_shipped_policy_classes():
    p = load_data_policy(POLICY)
    assert p.classify("/camera/image_raw") == "secret" and not p.may_record("/camera/image_raw")
    assert p.may_record("/scan") and not p.may_stream("/scan")
    assert p.may_stream("/camera/image_anonymized")
    assert p.classify("/some/new/topic") == "secret"  # unclassified = fail closed


def test_recorder_refuses_secret_topics_even_when_asked(tmp_path):
    rec = McapRecorder(tmp_path / "bag", load_data_policy(POLICY))
    assert rec.add("/camera/image_raw", "sensor_msgs/msg/Image") is False
    assert rec.add("/unlisted", "std_msgs/msg/String") is False
    assert rec.add("/scan", "sensor_msgs/msg/LaserScan") is True
    rec.close()
    assert rec.refused == {"/camera/image_raw": "secret", "/unlisted": "secret"}
    from rosbags.highlevel import AnyReader
    with AnyReader([tmp_path / "bag"]) as r:
        assert {c.topic for c in r.connections} == {"/scan"}


@pytest.mark.parametrize("text, needle", [
    ("default: private\n", "field 'default'"),
    ("classes: {topsecret: [/a]}\n", "unknown data class"),
    ("classes: {public: [a]}\n", "absolute topic names"),
    ("classes: {public: [/a], secret: [/a]}\n", "also listed"),
])
def test_bad_policies_are_named(tmp_path, text, needle):
    f = tmp_path / "p.yaml"
    f.write_text(text)
    with pytest.raises(DataPolicyError, match=needle):
        load_data_policy(f)


def test_a_misspelt_key_is_refused(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("default: secret\nclasess: {public: [/battery]}\n")
    with pytest.raises(DataPolicyError, match=r"unknown key 'clasess' \(did you mean 'classes'\?\)"):
        load_data_policy(f)
