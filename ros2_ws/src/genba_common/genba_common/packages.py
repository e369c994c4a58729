"""Where a genba package's installed files (``config/``, ``launch/``) are, with or without ament."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from genba_common.errors import ConfigError


def package_dir(package: str) -> Path:
    """Share folder of ``package`` on a colcon install (ament index); without one (pip installs),
    the folder that holds the package's Python module, which has the same ``config/``."""
    try:
        from ament_index_python.packages import PackageNotFoundError, get_package_share_directory

        try:
            return Path(get_package_share_directory(package))
        except (PackageNotFoundError, LookupError, OSError, ValueError):
            pass  # not on an ament prefix (pip install): fall back to the module's location
    except ImportError:
        pass
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"package '{package}' is not installed")
    return Path(list(spec.submodule_search_locations)[0]).resolve().parent


def config_path(package: str, file: str) -> Path:
    """``<package>/config/<file>``."""
    return package_dir(package) / "config" / file
