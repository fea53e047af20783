"""The one aiokafka internal the engine relies on is still there.

The engine lowers aiokafka's back-off between a commit and the next transaction's
AddPartitionsToTxn (`aiokafka.producer.sender.BACKOFF_OVERRIDE`, docs/kafka-runtime.md,
Performance). Setting a module attribute that a new aiokafka no longer reads would silently
bring back 20 ms stalls; this test fails instead, when the pinned version is changed."""

from __future__ import annotations

import inspect

from aiokafka.producer import sender

import processors.kafka.runtime  # noqa: F401  (importing it lowers the back-off)


def test_the_engine_lowers_the_back_off_that_aiokafka_reads() -> None:
    assert sender.BACKOFF_OVERRIDE == 0.005
    # aiokafka reads the module global when a transaction meets CONCURRENT_TRANSACTIONS.
    assert "return BACKOFF_OVERRIDE" in inspect.getsource(sender)
