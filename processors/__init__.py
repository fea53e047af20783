"""The engine: a pure core (no I/O) and the Faust runtime around it."""
