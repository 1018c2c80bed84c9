"""Sandbox users, their passwords and API keys, and what each may do per model.

==============  ==========  ====  ============================================
login           password    uid   rights
==============  ==========  ====  ============================================
admin           admin       2     everything; has the server's API key
demo            demo        6     everything except purchase.order
nostock         nostock     8     internal user: reads stock but may not
                                  change it; maintenance models read as empty
portaluser      portaluser  9     portal user: contacts and products only;
                                  stock.quant and the rest raise AccessError
==============  ==========  ====  ============================================

Every user may read res.users; only admin may change it.
"""

from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass, field

from core.sandbox.errors import AccessError
from core.sandbox.schema import ModelSpec

# Per-model rights: "rw" read and write, "r" read only, "hidden" reads return
# nothing (a record rule hides every row), "none" any access raises.
FULL = "rw"
READ = "r"
HIDDEN = "hidden"
NONE = "none"

ACTIONS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}


@dataclass
class User:
    """A login of the sandbox database."""

    uid: int
    login: str
    name: str
    password: str
    rights: dict[str, str] = field(default_factory=dict)
    api_keys: list[str] = field(default_factory=list)
    default_right: str = FULL

    def right(self, model: str) -> str:
        return self.rights.get(model, self.default_right)


def default_users(api_key: str) -> list[User]:
    """Return the four users every sandbox starts with."""
    return [
        User(2, "admin", "Mitchell Admin", "admin", api_keys=[api_key]),
        User(6, "demo", "Marc Demo", "demo", rights={"purchase.order": NONE, "res.users": READ}),
        User(
            8,
            "nostock",
            "Nina Stockless",
            "nostock",
            rights={
                "product.product": READ,
                "stock.location": READ,
                "stock.quant": READ,
                "maintenance.equipment": HIDDEN,
                "maintenance.request": HIDDEN,
                "purchase.order": NONE,
                "res.users": READ,
            },
        ),
        User(
            9,
            "portaluser",
            "Pat Portal",
            "portaluser",
            rights={"res.partner": READ, "product.product": READ, "res.users": READ},
            default_right=NONE,
        ),
    ]


class Users:
    """The user table, safe to change from another thread (change_password)."""

    def __init__(self, api_key: str) -> None:
        self._lock = threading.Lock()
        self._by_uid = {user.uid: user for user in default_users(api_key)}

    def reset(self, api_key: str) -> None:
        """Restore the starting users, passwords and API keys."""
        with self._lock:
            self._by_uid = {user.uid: user for user in default_users(api_key)}

    def get(self, uid: object) -> User | None:
        return self._by_uid.get(uid) if isinstance(uid, int) else None

    def by_login(self, login: str) -> User | None:
        return next((user for user in self._by_uid.values() if user.login == login), None)

    def all(self) -> list[User]:
        return list(self._by_uid.values())

    def authenticate(self, login: object, credential: object) -> int | None:
        """Return the uid when ``credential`` is the login's password or API key."""
        user = self.by_login(login) if isinstance(login, str) else None
        if user is None or not self.check(user, credential):
            return None
        return user.uid

    def check(self, user: User, credential: object) -> bool:
        if not isinstance(credential, str):
            return False
        with self._lock:
            secrets = [user.password, *user.api_keys]
        return any(hmac.compare_digest(credential.encode(), secret.encode()) for secret in secrets)

    def user_for_api_key(self, key: str) -> User | None:
        for user in self.all():
            with self._lock:
                keys = list(user.api_keys)
            if any(hmac.compare_digest(key.encode(), known.encode()) for known in keys):
                return user
        return None

    def change_password(self, login: str, new_password: str) -> None:
        user = self._require(login)
        with self._lock:
            user.password = new_password

    def add_api_key(self, login: str, key: str) -> None:
        """Give ``login`` another API key (admin has one from the start)."""
        user = self._require(login)
        with self._lock:
            user.api_keys.append(key)

    def _require(self, login: str) -> User:
        user = self.by_login(login)
        if user is None:
            known = ", ".join(sorted(item.login for item in self.all()))
            raise ValueError(f"unknown sandbox login {login!r}; use one of: {known}")
        return user


def check_access(user: User, spec: ModelSpec, operation: str) -> bool:
    """Raise AccessError when ``user`` may not do ``operation``; False when rows are hidden."""
    right = user.right(spec.name)
    if right == FULL or (right == READ and operation == "read"):
        return True
    if right == HIDDEN and operation == "read":
        return False
    groups = spec.read_groups if operation == "read" else spec.write_groups
    raise access_error(spec, operation, groups)


def access_error(spec: ModelSpec, operation: str, groups: tuple[str, ...]) -> AccessError:
    """Build Odoo's AccessError text for a model and operation."""
    lines = "".join(f"\t- {group}\n" for group in groups)
    return AccessError(
        f"You are not allowed to {ACTIONS[operation]} '{spec.description}' ({spec.name}) records.\n\n"
        f"This operation is allowed for the following groups:\n{lines}\n"
        "Contact your administrator to request access if necessary."
    )
