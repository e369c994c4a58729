"""genba_actuation: serial bridge to the motor controller (framed, checksummed protocol) and its emulator."""
