"""Topic data classes (public / restricted / secret) and what each may do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from genba_common.errors import ConfigError
from genba_common.yaml_file import check_keys, read_yaml_mapping

CLASSES = ("public", "restricted", "secret")


class DataPolicyError(ConfigError):
    """Bad data policy file; one line naming the file and field."""


@dataclass(frozen=True)
class DataPolicy:
    path: str
    default: str
    topics: dict

    def classify(self, topic: str) -> str:
        return self.topics.get(topic, self.default)

    def may_record(self, topic: str) -> bool:
        """Written into a run folder on the robot."""
        return self.classify(topic) in ("public", "restricted")

    def may_stream(self, topic: str) -> bool:
        """Sent off the robot."""
        return self.classify(topic) == "public"


def load_data_policy(path: str | Path) -> DataPolicy:
    data = read_yaml_mapping(path, "data policy", DataPolicyError)
    check_keys(data, ("default", "classes"), str(path), DataPolicyError)
    default = data.get("default", "secret")
    if default not in CLASSES:
        raise DataPolicyError(f"{path}: field 'default': '{default}' is not one of {', '.join(CLASSES)}")
    classes = data.get("classes") or {}
    if not isinstance(classes, dict):
        raise DataPolicyError(f"{path}: field 'classes': expected a mapping class -> list of topics")
    topics: dict[str, str] = {}
    for cls, names in classes.items():
        if cls not in CLASSES:
            raise DataPolicyError(
                f"{path}: field 'classes.{cls}': unknown data class (use {', '.join(CLASSES)})"
            )
        if not isinstance(names, list) or not all(isinstance(t, str) and t.startswith("/") for t in names):
            raise DataPolicyError(f"{path}: field 'classes.{cls}': expected a list of absolute topic names")
        for t in names:
            if t in topics and topics[t] != cls:
                raise DataPolicyError(f"{path}: field 'classes.{cls}': {t} is also listed as {topics[t]}")
            topics[t] = cls
    return DataPolicy(str(path), default, topics)
