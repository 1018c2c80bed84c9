"""Subcommand modules; importing this package registers them on ``cli``.

Add one import line per module below.
"""
