"""genba_policy: the on-device motion policy (placeholder reactive controller until the distilled model lands)."""
