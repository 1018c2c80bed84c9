"""Subcommand modules; importing this package registers them on ``cli``.

Add one import line per module below.
"""
from cli.commands import listen  # noqa: F401
from cli.commands import connections  # noqa: F401
from cli.commands import deliveries  # noqa: F401
from cli.commands import endpoints  # noqa: F401
from cli.commands import sync  # noqa: F401
from cli.commands import tokens  # noqa: F401
from cli.commands import sandbox  # noqa: F401
from cli.commands import demo  # noqa: F401
from cli.commands import serve  # noqa: F401
