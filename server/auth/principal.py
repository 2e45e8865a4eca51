"""Who is asking: a staff member (session or bearer token), a paired device, or nobody."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, g, request
from flask_login import current_user

from server.auth.accounts import contact_due, identify_token, touch_device
from server.db import get_db, get_writer

# Each role may do what the roles after it may do.
ROLE_RANK = {"staff": 1, "manager": 2, "admin": 3}


@dataclass(frozen=True)
class Principal:
    kind: str  # "user", "device" or "anonymous"
    role: str | None = None  # a user's role or a device's kind
    user_id: int | None = None
    device_id: int | None = None
    branch_id: int | None = None  # a device's branch; users may act in every branch
    counter_id: int | None = None  # a feedback screen's counter

    def allows(self, *needs: str) -> bool:
        """True if any need is met: a role (met by that role or a higher one) or a device kind."""
        for need in needs:
            if self.kind == "user" and need in ROLE_RANK:
                if ROLE_RANK[self.role] >= ROLE_RANK[need]:
                    return True
            elif self.kind == "device" and need == self.role:
                return True
        return False


ANONYMOUS = Principal("anonymous")


def principal_for_token(token: str | None) -> Principal:
    if not token:
        return ANONYMOUS
    found = identify_token(get_db(), token)
    if found is None:
        return ANONYMOUS
    kind, row = found
    if kind == "user":
        return Principal("user", row["role"], user_id=row["id"])
    g.seen_device = row  # its last contact is noted once the request has succeeded
    return Principal(
        "device",
        row["kind"],
        device_id=row["id"],
        branch_id=row["branch_id"],
        counter_id=row["counter_id"],
    )


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


# A paired device's browser keeps its token in this HttpOnly cookie.
DEVICE_COOKIE = "sira_device"


def current_principal() -> Principal:
    """Resolved once per request: a bearer token, then a staff session, then a device cookie."""
    if "principal" not in g:
        g.principal = resolve(bearer_token())
    return g.principal


def resolve(token: str | None) -> Principal:
    """Shared by HTTP requests and Socket.IO connections (whose handshake carries the cookies)."""
    if token:
        return principal_for_token(token)
    if current_user.is_authenticated:
        return Principal("user", current_user.role, user_id=current_user.id)
    return principal_for_token(request.cookies.get(DEVICE_COOKIE))


def note_device_contact(response: Response) -> Response:
    """After a successful request, note the device's last contact (refusals write nothing)."""
    device = g.pop("seen_device", None)
    if device is not None and response.status_code < 400 and contact_due(device):
        # On the writer thread: a commit on the event loop would stall every client.
        get_writer().run(lambda db: touch_device(db, device["id"]))
    return response
