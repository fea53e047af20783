"""Range functions (DMN 1.3 § 10.3.4.9): `before`, `after`, `meets`, `met by`, `overlaps`,
`overlaps before`, `overlaps after`, `finishes`, `finished by`, `includes`, `during`,
`starts`, `started by`, `coincides`, on points and ranges (`bpmn.feel.values.Range`, where an
absent bound is unbounded).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bpmn.feel.builtins.base import Builtin, FeelFunctionError, feel_compare, feel_equals


def _is_range(value: Any) -> bool:
    from bpmn.feel.values import Range

    return isinstance(value, Range)


def _order(a: Any, b: Any, a_low: bool = False, b_low: bool = False) -> int:
    """Compare two end points, reading None as -inf (a start) or +inf (an end)."""
    if a is None or b is None:
        a_rank = 0 if a is not None else (-1 if a_low else 1)
        b_rank = 0 if b is not None else (-1 if b_low else 1)
        if a_rank == b_rank:
            return 0
        return -1 if a_rank < b_rank else 1
    result = feel_compare(a, b)
    if result is None:
        if feel_equals(a, b) is True:
            return 0
        raise FeelFunctionError(f"can't compare '{a}' with '{b}'")
    return result


# Each rule is written on the four shapes: point/point, point/range, range/point, range/range.


def _before(a: Any, b: Any) -> bool:
    ra, rb = _is_range(a), _is_range(b)
    if not ra and not rb:
        return _order(a, b) < 0
    if not ra:
        order = _order(a, b.start, b_low=True)
        return order < 0 or (order == 0 and not b.start_included)
    if not rb:
        order = _order(a.end, b)
        return order < 0 or (order == 0 and not a.end_included)
    order = _order(a.end, b.start, b_low=True)
    return order < 0 or (order == 0 and not (a.end_included and b.start_included))


def _after(a: Any, b: Any) -> bool:
    return _before(b, a)


def _meets(a: Any, b: Any) -> bool:
    return bool(a.end_included and b.start_included and _order(a.end, b.start, b_low=True) == 0)


def _met_by(a: Any, b: Any) -> bool:
    return _meets(b, a)


def _overlaps(a: Any, b: Any) -> bool:
    end_start = _order(a.end, b.start, b_low=True)
    start_end = _order(a.start, b.end, a_low=True)
    return (end_start > 0 or (end_start == 0 and a.end_included and b.start_included)) and (
        start_end < 0 or (start_end == 0 and a.start_included and b.end_included)
    )


def _overlaps_before(a: Any, b: Any) -> bool:
    starts = _order(a.start, b.start, a_low=True, b_low=True)
    end_start = _order(a.end, b.start, b_low=True)
    ends = _order(a.end, b.end)
    return (
        (starts < 0 or (starts == 0 and a.start_included and not b.start_included))
        and (end_start > 0 or (end_start == 0 and a.end_included and b.start_included))
        and (ends < 0 or (ends == 0 and (not a.end_included or b.end_included)))
    )


def _overlaps_after(a: Any, b: Any) -> bool:
    return _overlaps_before(b, a)


def _finishes(a: Any, b: Any) -> bool:
    if not _is_range(a):
        return bool(b.end_included and _order(b.end, a) == 0)
    starts = _order(a.start, b.start, a_low=True, b_low=True)
    return (
        a.end_included == b.end_included
        and _order(a.end, b.end) == 0
        and (starts > 0 or (starts == 0 and (not a.start_included or b.start_included)))
    )


def _finished_by(a: Any, b: Any) -> bool:
    return _finishes(b, a)


def _includes(a: Any, b: Any) -> bool:
    if not _is_range(b):
        low, high = _order(a.start, b, a_low=True), _order(a.end, b)
        return (
            (low < 0 and high > 0)
            or (low == 0 and a.start_included)
            or (high == 0 and a.end_included)
        )
    starts = _order(a.start, b.start, a_low=True, b_low=True)
    ends = _order(a.end, b.end)
    return (starts < 0 or (starts == 0 and (a.start_included or not b.start_included))) and (
        ends > 0 or (ends == 0 and (a.end_included or not b.end_included))
    )


def _during(a: Any, b: Any) -> bool:
    return _includes(b, a)


def _starts(a: Any, b: Any) -> bool:
    if not _is_range(a):
        return bool(b.start_included and _order(b.start, a, a_low=True) == 0)
    ends = _order(b.end, a.end)
    return (
        _order(a.start, b.start, a_low=True, b_low=True) == 0
        and a.start_included == b.start_included
        and (ends > 0 or (ends == 0 and (not a.end_included or b.end_included)))
    )


def _started_by(a: Any, b: Any) -> bool:
    return _starts(b, a)


def _coincides(a: Any, b: Any) -> bool:
    if _is_range(a) != _is_range(b):
        raise FeelFunctionError("coincides() expects two points or two ranges")
    if not _is_range(a):
        return _order(a, b) == 0
    return (
        _order(a.start, b.start, a_low=True, b_low=True) == 0
        and a.start_included == b.start_included
        and _order(a.end, b.end) == 0
        and a.end_included == b.end_included
    )


_POINT_POINT = ("point1", "point2")
_POINT_RANGE = ("point", "range")
_RANGE_POINT = ("range", "point")
_RANGE_RANGE = ("range1", "range2")


_SHAPES = {
    "pp": (_POINT_POINT, (False, False)),
    "pr": (_POINT_RANGE, (False, True)),
    "rp": (_RANGE_POINT, (True, False)),
    "rr": (_RANGE_RANGE, (True, True)),
}


def _guarded(rule: Callable[[Any, Any], bool], shapes: list[str]) -> Callable[[Any, Any], bool]:
    """Accept any of the function's argument shapes: with positional arguments the evaluator
    takes the first overload of the right count, whatever the shapes of the values."""
    allowed = {_SHAPES[shape][1] for shape in shapes}

    def call(a: Any, b: Any) -> bool:
        if a is None or b is None:
            raise FeelFunctionError("range functions need two non-null arguments")
        if (_is_range(a), _is_range(b)) not in allowed:
            raise FeelFunctionError("arguments are not of the expected kinds (point or range)")
        return rule(a, b)

    return call


def _family(name: str, rule: Callable[[Any, Any], bool], shapes: list[str]) -> list[Builtin]:
    """One overload per shape, so named arguments (point, range1, ...) find their names."""
    impl = _guarded(rule, shapes)
    return [Builtin(name, _SHAPES[shape][0], impl) for shape in shapes]


_ALL = ["pp", "pr", "rp", "rr"]

FUNCTIONS = [
    *_family("before", _before, _ALL),
    *_family("after", _after, _ALL),
    *_family("meets", _meets, ["rr"]),
    *_family("met by", _met_by, ["rr"]),
    *_family("overlaps", _overlaps, ["rr"]),
    *_family("overlaps before", _overlaps_before, ["rr"]),
    *_family("overlaps after", _overlaps_after, ["rr"]),
    *_family("finishes", _finishes, ["pr", "rr"]),
    *_family("finished by", _finished_by, ["rp", "rr"]),
    *_family("includes", _includes, ["rp", "rr"]),
    *_family("during", _during, ["pr", "rr"]),
    *_family("starts", _starts, ["pr", "rr"]),
    *_family("started by", _started_by, ["rp", "rr"]),
    *_family("coincides", _coincides, ["pp", "rr"]),
]
