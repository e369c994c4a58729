"""genba_policy: the on-device motion policy: observation contract, route on the static map, inference
backends (the distilled student or the placeholder), node."""
