"""Fuzzing tenant ids and job types through their validation and the escaping into job topic
names (broker.topics.job_topic_suffix, TopicNames.job_topic): a pair is either refused with a
TopicError that says why, or gives a topic name Kafka accepts (at most 249 of
[a-zA-Z0-9._-]), and two different (tenant, job type) pairs never give the same topic."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from broker.protocol.values import DEFAULT_TENANT_ID
from broker.topics import TopicError, TopicSettings, job_topic_suffix
from tests.fuzz.budget import deadline, fuzz, fuzz_settings
from tests.fuzz.checks import saving

_KAFKA_NAME = re.compile(r"[a-zA-Z0-9._-]{1,249}")
_NAMES = TopicSettings(prefix="hf.")
_TRICKY = [
    "",
    " ",
    ".",
    "..",
    "x2E",
    ".x2E",
    "a.b",
    "a_b",
    "a-b",
    "jobs",
    "jobs.a",
    "tenant.a",
    DEFAULT_TENANT_ID,
    "<default>x",
    "\x00",
    "\ud800",
    "é",
    "𝄞",
    "a" * 31,
    "a" * 32,
    "a" * 240,
    "a" * 250,
    "é" * 60,
]
_ALPHABET = st.sampled_from([*"aZ09._-x2E:/ é\x00", "\ud800", "𝄞"])
names = st.one_of(
    st.sampled_from(_TRICKY),
    st.text(_ALPHABET, max_size=40),
    st.text(max_size=40),
    st.text(_ALPHABET, min_size=200, max_size=260),
)


def topic(tenant: str, job_type: str) -> str | None:
    """The topic of the pair, or None when it is refused (with a reason)."""
    try:
        suffix = job_topic_suffix(job_type, tenant)
        name = _NAMES.job_topic(job_type, tenant).name
    except TopicError as error:
        assert str(error).strip(), "a refusal without a reason"
        return None
    assert name == _NAMES.prefix + suffix
    assert _KAFKA_NAME.fullmatch(name), f"not a Kafka topic name: {name!r}"
    return name


def check_topics(pairs: list[tuple[str, str]]) -> None:
    with saving("topics", repr(pairs)), deadline():
        seen: dict[str, tuple[str, str]] = {}
        for pair in dict.fromkeys(pairs):
            name = topic(*pair)
            if name is None:
                continue
            other = seen.setdefault(name, pair)
            assert other == pair, f"{other!r} and {pair!r} both give topic {name}"


@fuzz_settings()
@given(
    st.lists(
        st.tuples(st.one_of(st.just(DEFAULT_TENANT_ID), names), names), min_size=1, max_size=8
    ).flatmap(
        # pairs sharing tenants and types, where collisions would show
        lambda pairs: st.lists(
            st.tuples(
                st.sampled_from([t for t, _ in pairs]), st.sampled_from([j for _, j in pairs])
            ),
            max_size=12,
        ).map(lambda extra: pairs + extra)
    )
)
def _topics(pairs: list[tuple[str, str]]) -> None:
    check_topics(pairs)


def test_fuzz_tenant_job_topics() -> None:
    fuzz(_topics)
