"""Turn Odoo's error replies into the typed errors of ``core.odoo.errors``.

Classification goes by the exception class Odoo reports: ``error.data.name``
over JSON-RPC, the faultCode over XML-RPC (1 = any exception, with the
traceback as faultString; 2 = UserError, ValidationError or MissingError;
3 = AccessDenied; 4 = AccessError), the legacy string faultCode
``"warning -- AccessError\\n\\n..."``, and the status code over JSON-2.
Message text is read only where Odoo gives nothing finer: the class line of
a traceback, the three exceptions that share faultCode 2, and the
psycopg2.OperationalError raised both for a missing database and for
PostgreSQL being down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.odoo import errors

# Maximum length of a message kept in an error. Odoo's ValidationError
# texts run to a few hundred characters, tracebacks to many thousands.
MAX_MESSAGE = 500

_UNKNOWN_MODEL = re.compile(r"^Object (\S+) doesn't exist")
_MISSING_RECORD = "Record does not exist or has been deleted"
_UNKNOWN_METHOD = re.compile(r"^The method '[^']+' does not exist")
_MISSING_DATABASE = re.compile(r'database "([^"]*)" does not exist')
_LEGACY_FAULT = re.compile(r"^(\w+) -- ([\w.]+)\n\n(.*)$", re.DOTALL)
_CLASS_LINE = re.compile(r"^([A-Za-z_][\w.]*)(?:: (.*))?$")


@dataclass(frozen=True, slots=True)
class Location:
    """The endpoint URL, model and method of a call, copied into every error raised for it."""

    url: str
    model: str | None = None
    method: str | None = None

    def fields(self) -> dict:
        return {"url": self.url, "model": self.model, "method": self.method}


def shorten(message: str) -> str:
    """Return ``message`` on one line, cut to ``MAX_MESSAGE`` characters."""
    flat = " ".join(part.strip() for part in message.strip().splitlines() if part.strip())
    if len(flat) > MAX_MESSAGE:
        return flat[: MAX_MESSAGE - 1] + "…"
    return flat


def last_line(text: str) -> str:
    """Return the last non-blank line of ``text``, stripped."""
    for line in reversed(text.splitlines()):
        if line.strip():
            return line.strip()
    return ""


def parse_traceback(text: str) -> tuple[str | None, str]:
    """Return (exception class, message) from a Python traceback text.

    The class is the name before the colon on the first unindented line
    after the last ``File "..."`` frame. The message runs to the end,
    because psycopg2 messages span two lines.
    """
    lines = text.rstrip("\n").split("\n")
    start = 0
    for index, line in enumerate(lines):
        if line.startswith('  File "'):
            start = index + 1
    while start < len(lines) and (lines[start][:1] in (" ", "\t") or not lines[start].strip()):
        start += 1
    if start >= len(lines):
        return None, last_line(text)
    match = _CLASS_LINE.match(lines[start])
    if not match:
        return None, last_line(text)
    first = match.group(2) or ""
    rest = lines[start + 1 :]
    return match.group(1), "\n".join([first, *rest]).strip()


def normalise_name(name: str | None) -> str | None:
    """Drop the ``builtins.`` prefix JSON-RPC puts on Python's own exceptions."""
    if name and name.startswith("builtins."):
        return name[len("builtins.") :]
    return name


def from_exception(name: str | None, message: str, where: Location, *, debug: str = "") -> errors.OdooError:
    """Build the typed error for Odoo exception class ``name`` with ``message``."""
    name = normalise_name(name)
    fields = {**where.fields(), "odoo_exception": name}
    builder = _BY_NAME.get(name or "")
    if builder is not None:
        error = builder(message, fields)
        if error is not None:
            return error
    return _server_error(name, message, fields, debug)


def _server_error(name: str | None, message: str, fields: dict, debug: str = "") -> errors.ServerError:
    final = last_line(debug) if debug else last_line(message)
    label = name or "unknown exception"
    fields.pop("odoo_exception", None)
    return errors.ServerError(f"the server raised {label}: {shorten(message)}", exception_name=name, last_line=final, **fields)


def _authentication(message: str, fields: dict) -> errors.OdooError:
    return errors.AuthenticationError(f"authentication failed: {shorten(message)}", **fields)


def _access(message: str, fields: dict) -> errors.OdooError:
    return errors.AccessError(f"access denied: {shorten(message)}", **fields)


def _missing(message: str, fields: dict) -> errors.OdooError:
    return errors.MissingRecordError(f"record not found: {shorten(message)}", **fields)


def _user_error(message: str, fields: dict) -> errors.OdooError:
    match = _UNKNOWN_MODEL.match(message.strip())
    if match:
        return errors.UnknownModelError(f"model {match.group(1)} does not exist", **fields)
    return errors.UserError(f"Odoo rejected the operation: {shorten(message)}", **fields)


def _attribute_error(message: str, fields: dict) -> errors.OdooError | None:
    if _UNKNOWN_METHOD.match(message.strip()):
        return errors.UnknownMethodError(f"unknown method: {shorten(message)}", **fields)
    return None


def _operational_error(message: str, fields: dict) -> errors.OdooError:
    match = _MISSING_DATABASE.search(message)
    if match:
        return errors.DatabaseNotFoundError(f'database "{match.group(1)}" does not exist', **fields)
    return errors.DatabaseUnavailableError(f"Odoo cannot reach its PostgreSQL database: {shorten(message)}", **fields)


def _database_unavailable(message: str, fields: dict) -> errors.OdooError:
    return errors.DatabaseUnavailableError(f"Odoo cannot reach its PostgreSQL database: {shorten(message)}", **fields)


def _type_error(message: str, fields: dict) -> errors.OdooError | None:
    if "cannot marshal None" in message:
        return errors.ResultNotMarshallableError("the method ran but returned None, which XML-RPC cannot carry", **fields)
    return None


def _request_unparseable(message: str, fields: dict) -> errors.OdooError:
    return errors.ProtocolError(f"the server could not parse the request: {shorten(message)}", **fields)


_BY_NAME = {
    "odoo.exceptions.AccessDenied": _authentication,
    "odoo.http.SessionExpiredException": _authentication,
    "odoo.exceptions.AccessError": _access,
    "odoo.exceptions.MissingError": _missing,
    "odoo.exceptions.UserError": _user_error,
    "odoo.exceptions.ValidationError": _user_error,
    "odoo.exceptions.RedirectWarning": _user_error,
    "odoo.exceptions.Warning": _user_error,
    "odoo.exceptions.except_orm": _user_error,
    "AttributeError": _attribute_error,
    "TypeError": _type_error,
    "psycopg2.OperationalError": _operational_error,
    "psycopg2.InterfaceError": _database_unavailable,
    "odoo.sql_db.PoolError": _database_unavailable,
    "xml.parsers.expat.ExpatError": _request_unparseable,
}


def from_fault(code: int | str, text: str, where: Location) -> errors.OdooError:
    """Build the typed error for an XML-RPC fault."""
    if isinstance(code, str):
        return _from_legacy_fault(code, text, where)
    if code == 1:
        name, message = parse_traceback(text)
        return from_exception(name, message, where, debug=text)
    if code == 2:
        return _from_fault_two(text, where)
    if code == 3:
        return from_exception("odoo.exceptions.AccessDenied", text, where)
    if code == 4:
        return from_exception("odoo.exceptions.AccessError", text, where)
    return _server_error(None, text, where.fields())


def _from_fault_two(text: str, where: Location) -> errors.OdooError:
    # faultCode 2 covers UserError, ValidationError and MissingError alike.
    # Only MissingError's fixed first line distinguishes them.
    if text.strip().startswith(_MISSING_RECORD):
        return from_exception("odoo.exceptions.MissingError", text, where)
    return from_exception("odoo.exceptions.UserError", text, where)


def _from_legacy_fault(code: str, text: str, where: Location) -> errors.OdooError:
    # Odoo's pre-/xmlrpc/2 endpoints put "warning -- <Class>\n\n<message>"
    # in faultCode and leave faultString empty.
    match = _LEGACY_FAULT.match(code)
    if match:
        return from_exception(f"odoo.exceptions.{match.group(2)}", match.group(3), where)
    if code.strip() == "AccessDenied":
        return from_exception("odoo.exceptions.AccessDenied", "Access Denied", where)
    return _server_error(None, code + "\n" + text, where.fields())


def from_jsonrpc_error(error: dict, where: Location) -> errors.OdooError:
    """Build the typed error for the ``error`` member of a JSON-RPC reply."""
    data = error.get("data") if isinstance(error.get("data"), dict) else {}
    if error.get("code") == 100:
        # Odoo's "Session Expired" code: the session or credentials are gone.
        return from_exception("odoo.http.SessionExpiredException", str(error.get("message", "")), where)
    message = data.get("message") or error.get("message") or ""
    return from_exception(data.get("name"), str(message), where, debug=str(data.get("debug") or ""))


def from_json2_error(status: int, body: dict, where: Location) -> errors.OdooError:
    """Build the typed error for a JSON-2 error reply ``{name, message, ...}``."""
    name = normalise_name(body.get("name"))
    message = str(body.get("message") or "")
    builder = _BY_NAME.get(name or "")
    if builder is not None:
        error = builder(message, {**where.fields(), "odoo_exception": name})
        if error is not None:
            return error
    return _from_json2_status(status, name, message, where, str(body.get("debug") or ""))


def _from_json2_status(status: int, name: str | None, message: str, where: Location, debug: str) -> errors.OdooError:
    fields = {**where.fields(), "odoo_exception": name}
    if status == 401:
        return errors.AuthenticationError(f"the API key was rejected: {shorten(message)}", **fields)
    if status == 403:
        return errors.AccessError(f"access denied: {shorten(message)}", **fields)
    if status == 404:
        return _json2_not_found(message, fields)
    if status == 422:
        return errors.UserError(f"Odoo rejected the call: {shorten(message)}", **fields)
    return _server_error(name, message, fields, debug)


def _json2_not_found(message: str, fields: dict) -> errors.OdooError:
    # NOTE: JSON-2 reports an unknown model and an unknown method with the
    # same class (werkzeug NotFound), so only the message distinguishes
    # them. A message naming neither is taken as an unknown method.
    match = _UNKNOWN_MODEL.match(message.strip())
    if match:
        return errors.UnknownModelError(f"model {match.group(1)} does not exist", **fields)
    lowered = message.lower()
    if "model" in lowered and "method" not in lowered:
        return errors.UnknownModelError(f"unknown model: {shorten(message)}", **fields)
    return errors.UnknownMethodError(f"unknown method: {shorten(message)}", **fields)
