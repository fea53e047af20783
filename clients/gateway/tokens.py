"""The gateway's access tokens: JWTs (PyJWT, HS256) signed with the clients file's key,
naming the client (`sub`) and valid for `TOKEN_LIFETIME` seconds. The client's role is not in
the token: it is looked up in the clients file at each check, so a client removed from the
file (and the gateway restarted) loses its access at once."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Final

import jwt

from clients.gateway.clients_file import Client, Clients

TOKEN_LIFETIME: Final = 300
"""Seconds a token is valid (pyzeebe fetches a new one 60 s before, Camunda's default leeway)."""
ISSUER: Final = "honeyflow-gateway"
_ALGORITHM: Final = "HS256"
_CACHED: Final = 10_000


class InvalidToken(Exception):
    """Why a token is refused, for the UNAUTHENTICATED status."""


class Tokens:
    def __init__(self, clients: Clients, lifetime: int = TOKEN_LIFETIME) -> None:
        self.clients = clients
        self.lifetime = lifetime
        self._checked: OrderedDict[str, tuple[Client, float]] = OrderedDict()

    def issue(self, client: Client, now: float | None = None) -> str:
        issued = int(time.time() if now is None else now)
        claims = {"iss": ISSUER, "sub": client.client_id, "iat": issued}
        claims["exp"] = issued + self.lifetime
        return jwt.encode(claims, self.clients.signing_key, algorithm=_ALGORITHM)

    def check(self, token: str, now: float | None = None) -> Client:
        """The client the token was given to; InvalidToken if it is not one of ours, was
        altered, has expired or names a client the file no longer holds."""
        moment = time.time() if now is None else now
        cached = self._checked.get(token)
        if cached is not None and moment < cached[1]:
            return cached[0]
        try:
            claims = jwt.decode(
                token,
                self.clients.signing_key,
                algorithms=[_ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "iss"], "verify_exp": False},
            )
        except jwt.PyJWTError as e:
            raise InvalidToken(f"the bearer token is not valid: {e}") from e
        if moment >= claims["exp"]:
            raise InvalidToken("the bearer token has expired: fetch a new one")
        client = self.clients.by_id.get(claims["sub"])
        if client is None:
            raise InvalidToken(f"the client {claims['sub']!r} of the token is not known")
        self._checked[token] = (client, float(claims["exp"]))
        if len(self._checked) > _CACHED:
            self._checked.popitem(last=False)
        return client
