"""Exceptions the sandbox raises, named and worded like Odoo 18's.

Odoo reports an exception by its class: XML-RPC maps the class to a
faultCode, JSON-RPC sends ``module.ClassName`` as ``error.data.name``, and a
code-1 fault carries the formatted traceback. Setting ``__module__`` on these
classes makes Python's own traceback formatting print ``psycopg2.OperationalError``
or ``odoo.exceptions.UserError``, exactly as a real server does.
"""

from __future__ import annotations

import traceback

# The PostgreSQL address in the sandbox's database errors. The sandbox has no
# database server; the address only makes the messages read like Odoo's.
PG_ADDRESS = 'connection to server at "127.0.0.1", port 5433 failed'


class UserError(Exception):
    """A business error shown to the user (faultCode 2)."""

    __module__ = "odoo.exceptions"


class ValidationError(UserError):
    """A constraint failed, such as a missing required field (faultCode 2)."""

    __module__ = "odoo.exceptions"


class MissingError(UserError):
    """A record id does not exist (faultCode 2)."""

    __module__ = "odoo.exceptions"


class AccessError(UserError):
    """The user's groups do not allow the operation (faultCode 4)."""

    __module__ = "odoo.exceptions"


class AccessDenied(UserError):
    """Wrong password or API key on an authenticated call (faultCode 3)."""

    __module__ = "odoo.exceptions"

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)


class OperationalError(Exception):
    """PostgreSQL refused the connection or the database does not exist."""

    __module__ = "psycopg2"


class NumericValueOutOfRange(Exception):
    """A value does not fit an int4 column."""

    __module__ = "psycopg2.errors"


class InvalidTextRepresentation(Exception):
    """A value cannot be cast to the column type."""

    __module__ = "psycopg2.errors"


def missing_record(model: str, ids: list[int], uid: int) -> MissingError:
    """Build the MissingError Odoo raises for a deleted or unknown id."""
    id_text = "".join(f"{record_id}," for record_id in ids)
    return MissingError(f"Record does not exist or has been deleted.\n(Record: {model}({id_text}), User: {uid})")


def database_missing(database: str) -> OperationalError:
    """Build the error PostgreSQL gives when the database name is unknown."""
    return OperationalError(f'{PG_ADDRESS}: FATAL:  database "{database}" does not exist\n')


def database_unreachable() -> OperationalError:
    """Build the error psycopg2 gives when PostgreSQL is stopped."""
    return OperationalError(
        f"{PG_ADDRESS}: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n"
    )


def exception_name(error: BaseException) -> str:
    """Return ``module.ClassName`` as Odoo puts it in ``error.data.name``."""
    return f"{type(error).__module__}.{type(error).__qualname__}"


def exception_message(error: BaseException) -> str:
    """Return the message Odoo sends: the first argument, else ``str(error)``."""
    if error.args and isinstance(error.args[0], str):
        return error.args[0]
    return str(error)


def format_traceback(error: BaseException) -> str:
    """Return the formatted traceback, the text of a code-1 fault and of ``debug``."""
    return "".join(traceback.format_exception(error))


def xmlrpc_fault_code(error: BaseException) -> int:
    """Map an exception to Odoo's integer faultCode on /xmlrpc/2."""
    if isinstance(error, AccessDenied):
        return 3
    if isinstance(error, AccessError):
        return 4
    if isinstance(error, UserError):
        return 2
    return 1


def legacy_fault(error: BaseException) -> tuple[str, str]:
    """Map an exception to the (faultCode, faultString) pair of legacy /xmlrpc.

    The legacy endpoints put a string in faultCode: ``warning -- <Class>``
    and the message for business errors, else the message and the traceback.
    """
    # NOTE: only UserError and AccessError were recorded from a real server;
    # the MissingError, AccessDenied and traceback branches follow the same
    # scheme but are unverified.
    message = exception_message(error)
    if isinstance(error, AccessDenied):
        return "AccessDenied", message
    for kind in (MissingError, AccessError):
        if isinstance(error, kind):
            return f"warning -- {kind.__name__}\n\n{message}", ""
    if isinstance(error, UserError):
        return f"warning -- UserError\n\n{message}", ""
    return message, format_traceback(error)
