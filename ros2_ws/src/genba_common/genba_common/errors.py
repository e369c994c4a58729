"""The one configuration error of genba."""

from __future__ import annotations


class ConfigError(Exception):
    """A file, parameter or argument is wrong. ``str()`` is one line naming what (file, field, value).

    Subclasses name the kind of file (camera calibration, extrinsics, stack description, data
    policy); a node that raises it at start-up prints that line and exits 2
    (:func:`genba_common.entry.run_node`)."""


class ModelRejected(ConfigError):
    """A model may not run: one line saying why (unknown hash, missing file, bad manifest, no backend)."""
