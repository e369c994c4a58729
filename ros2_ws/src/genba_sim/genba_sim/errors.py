"""One error type for everything a user can get wrong about a scenario or map."""


class ConfigError(Exception):
    """Bad input; ``str()`` is a single line naming the file and field."""
