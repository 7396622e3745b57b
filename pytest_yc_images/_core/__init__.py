"""The fake's state and rules: pure, synchronous, no I/O; time and IDs are injected."""
