"""Why a model may not drive."""

from genba_common.errors import ConfigError


class ModelRejected(ConfigError):
    """The model may not drive: one line saying why (unknown hash, missing file, bad manifest, no backend)."""
