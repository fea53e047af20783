"""The ranges of the protocol's numbers. Zeebe's records hold keys, positions, timestamps and
durations as Java longs and retries, counts and versions as Java ints, so a value outside
these cannot be answered the way Zeebe would; the client's argument checks and the engine's
command checks both hold values to them.
"""

from __future__ import annotations

from typing import Final

MAX_LONG: Final = (1 << 63) - 1
MIN_LONG: Final = -(1 << 63)
MAX_INT: Final = (1 << 31) - 1
MIN_INT: Final = -(1 << 31)
