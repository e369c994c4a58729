"""genba_bringup: the stack description, the `genba` CLI and run reports."""
