"""Clients of Honeyflow: the Python client, the job worker and the CLI."""
