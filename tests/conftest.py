"""Shared pytest configuration; fixtures live in tests/fixtures/ as plugins."""

pytest_plugins: list[str] = [
    "tests.fixtures.ledger",
    "tests.fixtures.ports",
    "tests.fixtures.receiver",
    "tests.fixtures.sandbox",
]
