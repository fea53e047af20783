"""Errors of the Kafka side (launcher, topics). Each message names the cause and, where there
is one, the file to read next (a node's log, Maven's output).

    BrokerError
    ├── KafkaSetupError     Java/Maven missing, fetching the jars failed
    ├── ClusterError        a node failed to start or stop, a port is taken, a cluster mismatch
    └── TopicError          a topic could not be created or differs from its specification
"""

from __future__ import annotations


class BrokerError(Exception):
    """Base of every error raised by `broker` (the protocol package has its own tree)."""


class KafkaSetupError(BrokerError):
    """The local Kafka distribution could not be prepared."""


class ClusterError(BrokerError):
    """A local Kafka cluster could not be started, stopped or reused."""


class TopicError(BrokerError):
    """Topics could not be created, or existing topics differ from what Honeyflow needs."""
