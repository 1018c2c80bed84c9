"""The ``odoo-relay`` command: the composition root of the engine and its faces."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from core.paths import LEDGER_ENV, default_ledger_path

# Exit codes that scripts can rely on.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class RelayContext:
    """Options shared by every subcommand."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path


def db_option(function):
    """Add ``--db PATH`` to a command; it overrides the group's value."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"Ledger file to use (default: ${LEDGER_ENV} or the user data directory).",
    )(function)


@click.group(invoke_without_command=True)
@db_option
@click.version_option(package_name="odoo-relay")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None) -> None:
    """Sync Odoo data, deliver changes as signed webhooks, and watch it live.

    Without a subcommand, opens the live monitor (TUI) on the ledger.
    """
    ctx.obj = RelayContext(db_path or default_ledger_path())
    if ctx.invoked_subcommand is None:
        from cli.run_tui import run_monitor

        sys.exit(run_monitor(ctx.obj.db_path))


def resolve_db(ctx: click.Context, db_path: Path | None) -> Path:
    """Return the ledger path for a subcommand: its own ``--db``, else the group's."""
    if db_path is not None:
        return db_path
    return ctx.find_object(RelayContext).db_path


def _register_commands() -> None:
    # Each area registers its commands in its own module, so the modules stay
    # small and a headless command never imports Textual.
    from cli import commands  # noqa: F401


def main() -> None:
    """Console-script entry point."""
    _register_commands()
    cli(prog_name="odoo-relay")


if __name__ == "__main__":
    main()
