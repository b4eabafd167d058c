"""`python -m cli` is the same as the `escalations` command."""

from cli.main import app

app()
