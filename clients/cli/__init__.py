"""The `honeyflow` command line interface."""
