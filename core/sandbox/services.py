"""The RPC services ``common``, ``object`` and ``db``, shared by XML-RPC and JSON-RPC.

``dispatch(backend, service, method, params)`` returns the result or raises
the exception Odoo would raise; each protocol module turns that into its own
wire format.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.sandbox.errors import AccessDenied, database_missing, database_unreachable, missing_record
from core.sandbox.orm import execute
from core.sandbox.store import Store
from core.sandbox.users import Users
from core.sandbox.versions import VersionInfo

DATABASE = "sandbox"


@dataclass
class Backend:
    """Everything a request handler needs: data, users, version and fault switches."""

    store: Store
    users: Users
    version: VersionInfo
    database: str = DATABASE
    # Switched by Faults; read on every call.
    database_down: bool = False

    def check_database(self, database: object) -> None:
        """Raise what psycopg2 raises when Odoo opens a cursor on ``database``."""
        if self.database_down:
            raise database_unreachable()
        if database != self.database:
            raise database_missing(str(database))


def dispatch(backend: Backend, service: str, method: str, params: list) -> object:
    """Run one RPC call; raises KeyError for an unknown service, as Odoo does."""
    handlers = {"common": _common, "object": _object, "db": _db}
    handler = handlers[service]
    return handler(backend, method, list(params or []))


def _common(backend: Backend, method: str, params: list) -> object:
    if method == "version":
        return backend.version.as_dict()
    if method == "authenticate":
        database, login, password = params[:3]
        backend.check_database(database)
        return backend.users.authenticate(login, password) or False
    if method == "login":
        database, login, password = params[:3]
        backend.check_database(database)
        return backend.users.authenticate(login, password) or False
    raise KeyError(f"exp_{method}")


def _db(backend: Backend, method: str, params: list) -> object:
    if method == "list":
        if backend.database_down:
            raise database_unreachable()
        return [backend.database]
    if method == "server_version":
        return backend.version.serie
    if method == "db_exist":
        return bool(params) and params[0] == backend.database and not backend.database_down
    raise KeyError(f"exp_{method}")


def _object(backend: Backend, method: str, params: list) -> object:
    if method not in ("execute_kw", "execute"):
        raise NameError(f"Method not available {method}")
    database, uid, password, model, model_method, *rest = params
    user = authenticated_user(backend, database, uid, password)
    if method == "execute_kw":
        args = rest[0] if rest else []
        kwargs = rest[1] if len(rest) > 1 else {}
        return execute(backend.store, user, model, model_method, args, kwargs)
    return execute(backend.store, user, model, model_method, rest, {})


def authenticated_user(backend: Backend, database: object, uid: object, password: object):
    """Check the database, the uid and the password or API key of an object call."""
    backend.check_database(database)
    user = backend.users.get(uid)
    if user is None:
        raise missing_record("res.users", [uid], uid)
    if not backend.users.check(user, password):
        raise AccessDenied()
    return user
