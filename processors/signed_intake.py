"""The runtime's half of signed commands (docs/security.md, "Who sent a command"): before the
engine core sees a command, check its signature (`broker.command_signing`) and that its request
id was not used by the same principal before; the core gets the `Principal`, or `Unverified`
with the reason, and decides.

A signed command could be written again by whoever can read it and write commands. So the
request ids each principal used are remembered in the partition's state (replicated and rolled
back with the command's other changes) for `REPLAY_WINDOW_MS`, and a command signed longer
ago than that, or that far in the future, is refused: memory stays bounded by the window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from broker.command_signing import CommandVerifier, SignedCommand
from broker.protocol.principal import Principal, Unverified
from processors.engine.kv_store import KeyValueStore, pack, unpack_int

REPLAY_WINDOW_MS: Final = 24 * 3600 * 1000
"""How long a signed command stays acceptable after it was signed (and its request id
remembered): a day of engine downtime, not more."""
_SEEN = "signed_requests"
_BY_TIME = "signed_requests_by_time"
_SWEEP: Final = 64
_INT_BYTES: Final = 8


class SignedIntake:
    def __init__(
        self, verifier: CommandVerifier, store: KeyValueStore, window_ms: int = REPLAY_WINDOW_MS
    ) -> None:
        self.verifier = verifier
        self._store = store
        self._window_ms = window_ms

    def check(
        self,
        value: bytes,
        headers: Iterable[tuple[str, bytes]],
        partitions: Sequence[int],
        now_ms: int,
    ) -> Principal | Unverified:
        """Who sent the command in `value` (read on `partitions[0]`), or why it is refused."""
        self._forget_before(now_ms - self._window_ms)
        checked = self.verifier.verify(value, headers, partitions)
        if isinstance(checked, Unverified):
            return checked
        return self._first_use(checked, now_ms)

    def _first_use(self, signed: SignedCommand, now_ms: int) -> Principal | Unverified:
        name = signed.principal.name
        hours = self._window_ms // 3_600_000
        if not now_ms - self._window_ms <= signed.signed_at <= now_ms + self._window_ms:
            return Unverified(
                name,
                f"it was signed at {signed.signed_at} (epoch ms), more than {hours} hours from"
                f" when it is processed ({now_ms}): a replayed command, or a wrong clock",
            )
        key = pack(name, signed.request_id)
        if self._store.get(_SEEN, key) is not None:
            return Unverified(
                name,
                f"request id '{signed.request_id}' was already used by {name}: a replayed command",
            )
        self._store.put(_SEEN, key, signed.signed_at)
        self._store.put(_BY_TIME, pack(signed.signed_at, name, signed.request_id), 1)
        return signed.principal

    def _forget_before(self, limit_ms: int) -> None:
        """Forget a few request ids signed before `limit_ms` (commands that old are refused
        anyway)."""
        old: list[bytes] = []
        for key, _ in self._store.iterate(_BY_TIME):
            if len(old) >= _SWEEP or unpack_int(key, 0) >= limit_ms:
                break
            old.append(key)
        for key in old:
            self._store.delete(_BY_TIME, key)
            self._store.delete(_SEEN, key[_INT_BYTES:])
