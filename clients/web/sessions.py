"""The console's server-side sessions and its brake on password guessing.

A session is a random token (32 bytes from `secrets`) the browser holds in an HttpOnly,
SameSite=Strict cookie; the server keeps only the token's SHA-256, with the user, a CSRF
token of its own and two deadlines: it ends after `idle` seconds without a request, after
`lifetime` seconds in all, or at logout. Sessions live in the process's memory: a restarted
console logs everyone out.

`LoginThrottle` counts failed logins per user name and per client address in a sliding
window; past `max_failures` either is refused for the rest of the window without checking
the password. Every failure is also answered only after a delay (the handler sleeps), so a
guesser gets a handful of tries a minute per name and address.

The clock is handed in (monotonic seconds) so that tests move it instead of waiting."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from clients.web.users_file import WebUser

Clock = Callable[[], float]
IDLE_SECONDS: Final = 2 * 3600
LIFETIME_SECONDS: Final = 12 * 3600
MAX_SESSIONS: Final = 10_000


@dataclass
class Session:
    user: WebUser
    csrf_token: str
    started: float
    last_seen: float


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Sessions:
    clock: Clock = time.monotonic
    idle: float = IDLE_SECONDS
    lifetime: float = LIFETIME_SECONDS
    _by_digest: dict[str, Session] = field(default_factory=dict)

    def start(self, user: WebUser) -> tuple[str, Session]:
        """A new session (a new token at every login: no fixation) and its token."""
        now = self.clock()
        self._expire(now)
        if len(self._by_digest) >= MAX_SESSIONS:
            oldest = min(self._by_digest, key=lambda d: self._by_digest[d].last_seen)
            del self._by_digest[oldest]
        token = secrets.token_urlsafe(32)
        session = Session(user, secrets.token_urlsafe(32), now, now)
        self._by_digest[_digest(token)] = session
        return token, session

    def get(self, token: str | None) -> Session | None:
        """The live session of `token` (its idle deadline moves on), else None."""
        if not token:
            return None
        now = self.clock()
        digest = _digest(token)
        session = self._by_digest.get(digest)
        if session is None:
            return None
        if now - session.last_seen > self.idle or now - session.started > self.lifetime:
            del self._by_digest[digest]
            return None
        session.last_seen = now
        return session

    def end(self, token: str | None) -> None:
        if token:
            self._by_digest.pop(_digest(token), None)

    def end_user(self, name: str) -> None:
        for digest in [d for d, s in self._by_digest.items() if s.user.name == name]:
            del self._by_digest[digest]

    def _expire(self, now: float) -> None:
        for digest in [
            d
            for d, s in self._by_digest.items()
            if now - s.last_seen > self.idle or now - s.started > self.lifetime
        ]:
            del self._by_digest[digest]


@dataclass
class LoginThrottle:
    clock: Clock = time.monotonic
    max_failures: int = 5
    window: float = 600.0
    failure_delay: float = 1.0
    """Seconds a failed login waits before its answer."""
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def blocked_for(self, name: str, address: str) -> float:
        """Seconds until `name` from `address` may try again (0: now)."""
        now = self.clock()
        wait = 0.0
        for key in (f"user:{name}", f"address:{address}"):
            times = self._recent(key, now)
            if len(times) >= self.max_failures:
                wait = max(wait, times[0] + self.window - now)
        return wait

    def failed(self, name: str, address: str) -> None:
        now = self.clock()
        for key in (f"user:{name}", f"address:{address}"):
            self._recent(key, now).append(now)
        if len(self._failures) > 100_000:
            self._failures = {k: v for k, v in self._failures.items() if v}

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times
