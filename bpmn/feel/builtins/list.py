"""List functions: membership, aggregation (`min`, `sum`, `mean`, `median`, `stddev`, `mode`
in exact decimals), slicing with 1-based and negative positions, set-like operations with FEEL
equality, `sort` with a precedes function, `string join`, and Camunda's `partition`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from bpmn.feel.builtins.base import (
    OMITTED,
    Builtin,
    FeelFunctionError,
    feel_compare,
    is_list,
    is_number,
    require,
    same_value,
)
from bpmn.feel.builtins.numbers import int_value
from bpmn.feel.values import FEEL_DECIMAL_CONTEXT

_CONTEXT = FEEL_DECIMAL_CONTEXT


def _list(value: Any) -> list[Any]:
    require(is_list(value), "expected a list")
    return list(value)


def _numbers(value: Any) -> list[Decimal]:
    items = _list(value)
    require(all(is_number(item) for item in items), "expected a list of numbers")
    return items


def _index(items: Sequence[Any], position: Any) -> int:
    """0-based index of a FEEL position: 1 is the first item, -1 the last."""
    require(is_number(position), "position must be a number")
    number = int_value(position)
    require(number != 0, "position must be a non-zero number")
    return number - 1 if number > 0 else len(items) + number


def _list_contains(items: Any, element: Any) -> bool:
    return any(same_value(item, element) for item in _list(items))


def _count(items: Any) -> Decimal:
    return Decimal(len(_list(items)))


def _extreme(pick: int) -> Callable[[Any], Any]:
    def extreme(items: Any) -> Any:
        values = _list(items)
        if not values:
            return None
        best = values[0]
        for item in values[1:]:
            order = feel_compare(item, best)
            require(order is not None, "the list items are not comparable")
            if order == pick:
                best = item
        require(feel_compare(best, best) is not None, "the list items are not comparable")
        return best

    return extreme


def _sum(items: Any) -> Decimal | None:
    numbers = _numbers(items)
    if not numbers:
        return None
    return functools.reduce(_CONTEXT.add, numbers, Decimal(0))


def _product(items: Any) -> Decimal | None:
    numbers = _numbers(items)
    if not numbers:
        return None
    return functools.reduce(_CONTEXT.multiply, numbers, Decimal(1))


def _mean(items: Any) -> Decimal | None:
    numbers = _numbers(items)
    if not numbers:
        return None
    return _CONTEXT.divide(functools.reduce(_CONTEXT.add, numbers), Decimal(len(numbers)))


def _median(items: Any) -> Decimal | None:
    numbers = sorted(_numbers(items))
    if not numbers:
        return None
    middle = len(numbers) // 2
    if len(numbers) % 2:
        return numbers[middle]
    return _CONTEXT.divide(_CONTEXT.add(numbers[middle - 1], numbers[middle]), Decimal(2))


def _stddev(items: Any) -> Decimal | None:
    numbers = _numbers(items)
    if not numbers:
        return None
    require(len(numbers) > 1, "stddev() needs at least two numbers")
    mean = _CONTEXT.divide(functools.reduce(_CONTEXT.add, numbers), Decimal(len(numbers)))
    squares = [_CONTEXT.power(_CONTEXT.subtract(n, mean), 2) for n in numbers]
    variance = _CONTEXT.divide(functools.reduce(_CONTEXT.add, squares), Decimal(len(numbers) - 1))
    return _CONTEXT.sqrt(variance)


def _mode(items: Any) -> list[Decimal]:
    numbers = _numbers(items)
    counts: dict[Decimal, int] = {}
    for number in numbers:
        counts[number] = counts.get(number, 0) + 1
    if not counts:
        return []
    most = max(counts.values())
    return sorted(number for number, count in counts.items() if count == most)


def _all(items: Any) -> bool | None:
    result: bool | None = True
    for item in _list(items):
        if item is False:
            return False
        if item is not True:
            result = None
    return result


def _any(items: Any) -> bool | None:
    result: bool | None = False
    for item in _list(items):
        if item is True:
            return True
        if item is not False:
            result = None
    return result


def _sublist(items: Any, start: Any, length: Any = OMITTED) -> list[Any]:
    values = _list(items)
    index = max(_index(values, start), 0)
    if length is OMITTED:
        return values[index:]
    require(is_number(length), "length must be a number")
    return values[index : index + max(int_value(length), 0)]


def _append(items: Any, new_items: Any) -> list[Any]:
    return [*_list(items), *_list(new_items)]


def _concatenate(lists: Any) -> list[Any]:
    result: list[Any] = []
    for item in _list(lists):
        require(is_list(item), "concatenate() expects lists")
        result.extend(item)
    return result


def _insert_before(items: Any, position: Any, new_item: Any) -> list[Any]:
    values = _list(items)
    index = min(max(_index(values, position), 0), len(values))
    return [*values[:index], new_item, *values[index:]]


def _remove(items: Any, position: Any) -> list[Any]:
    values = _list(items)
    index = _index(values, position)
    require(0 <= index < len(values), "position is outside the list")
    return values[:index] + values[index + 1 :]


def _reverse(items: Any) -> list[Any]:
    return _list(items)[::-1]


def _index_of(items: Any, match: Any) -> list[Decimal]:
    return [Decimal(i) for i, item in enumerate(_list(items), 1) if same_value(item, match)]


def _distinct(values: Sequence[Any]) -> list[Any]:
    """The values without repetitions (FEEL equality), first occurrences in order. Values made
    of null, booleans, numbers, strings, lists and contexts are compared by a hash key, in
    linear time; only other values (temporals, ranges) are compared one by one."""
    result: list[Any] = []
    keys: set[Any] = set()
    others: list[Any] = []
    for value in values:
        key = _equality_key(value)
        if key is not None:
            if key not in keys:
                keys.add(key)
                result.append(value)
        elif not any(same_value(value, seen) for seen in others):
            others.append(value)
            result.append(value)
    return result


def _equality_key(value: Any) -> Any:
    """A hashable key equal for values that FEEL's `=` finds equal; None for values without one.
    The tag keeps apart what Python finds equal and FEEL does not (`true` and `1`)."""
    kind = type(value)
    if value is None:
        return ("null",)
    if kind is bool or kind is str:
        return (kind.__name__, value)
    if kind is Decimal:
        return ("number", value)  # 1 and 1.0 are equal and hash alike
    if kind is list:
        items = tuple(_equality_key(item) for item in value)
        return None if None in items else ("list", items)
    if kind is dict:
        entries = frozenset((key, _equality_key(item)) for key, item in value.items())
        return None if any(key is None for _, key in entries) else ("context", entries)
    return None


def _union(lists: Any) -> list[Any]:
    merged: list[Any] = []
    for item in _list(lists):
        if is_list(item):
            merged.extend(item)
        else:
            merged.append(item)
    return _distinct(merged)


def _distinct_values(items: Any) -> list[Any]:
    return _distinct(_list(items))


def _duplicate_values(items: Any) -> list[Any]:
    values = _list(items)
    counts: dict[Any, int] = {}
    for value in values:
        key = _equality_key(value)
        if key is not None:
            counts[key] = counts.get(key, 0) + 1

    def repeated(value: Any) -> bool:
        key = _equality_key(value)
        if key is not None:
            return counts[key] > 1
        return sum(same_value(value, v) for v in values) > 1

    return [value for value in _distinct(values) if repeated(value)]


def _flatten(items: Any) -> list[Any]:
    result: list[Any] = []
    for item in _list(items):
        if is_list(item):
            result.extend(_flatten(item))
        else:
            result.append(item)
    return result


def _sort(items: Any, precedes: Any) -> list[Any]:
    values = _list(items)
    require(callable(precedes), "sort() expects a function as second argument")

    def order(left: Any, right: Any) -> int:
        result = precedes(left, right)
        if not isinstance(result, bool):
            raise FeelFunctionError(f"the precedes function returned {result!r}, not a boolean")
        # sorted() only asks whether one item goes before another, as Scala's sortWith does
        return -1 if result else 1

    return sorted(values, key=functools.cmp_to_key(order))


def _string_join(items: Any, delimiter: Any = None, prefix: Any = None, suffix: Any = None) -> str:
    # a single string stands for a list of it (the DMN singleton-list coercion)
    values = [items] if isinstance(items, str) else _list(items)
    require(all(v is None or isinstance(v, str) for v in values), "expected a list of strings")
    for part in (delimiter, prefix, suffix):
        require(part is None or isinstance(part, str), "delimiter, prefix, suffix are strings")
    text = (delimiter or "").join(v for v in values if v is not None)
    return f"{prefix or ''}{text}{suffix or ''}"


def _is_empty(items: Any) -> bool:
    return not _list(items)


def _partition(items: Any, size: Any) -> list[list[Any]]:
    values = _list(items)
    require(is_number(size) and int_value(size) > 0, "size must be a number greater than zero")
    step = int_value(size)
    return [values[i : i + step] for i in range(0, len(values), step)]


def _list_replace(items: Any, position_or_match: Any, new_item: Any) -> list[Any]:
    values = _list(items)
    if callable(position_or_match):
        # Camunda: replace every item for which match(item, newItem) is true
        return [new_item if position_or_match(v, new_item) is True else v for v in values]
    index = _index(values, position_or_match)
    require(0 <= index < len(values), "position is outside the list")
    return [*values[:index], new_item, *values[index + 1 :]]


FUNCTIONS = [
    Builtin("list contains", ("list", "element"), _list_contains),
    Builtin("count", ("list",), _count),
    Builtin("min", ("list",), _extreme(-1), varargs=True),
    Builtin("max", ("list",), _extreme(1), varargs=True),
    Builtin("sum", ("list",), _sum, varargs=True),
    Builtin("product", ("list",), _product, varargs=True),
    Builtin("mean", ("list",), _mean, varargs=True),
    Builtin("median", ("list",), _median, varargs=True),
    Builtin("stddev", ("list",), _stddev, varargs=True),
    Builtin("mode", ("list",), _mode, varargs=True),
    Builtin("all", ("list",), _all, varargs=True),
    Builtin("and", ("list",), _all, varargs=True),
    Builtin("any", ("list",), _any, varargs=True),
    Builtin("or", ("list",), _any, varargs=True),
    Builtin("sublist", ("list", "start position", "length"), _sublist, optional=1),
    Builtin("append", ("list", "item"), _append, varargs=True),
    Builtin("concatenate", ("list",), _concatenate, varargs=True),
    Builtin("insert before", ("list", "position", "newItem"), _insert_before),
    Builtin("remove", ("list", "position"), _remove),
    Builtin("reverse", ("list",), _reverse),
    Builtin("index of", ("list", "match"), _index_of),
    Builtin("union", ("list",), _union, varargs=True),
    Builtin("distinct values", ("list",), _distinct_values),
    Builtin("duplicate values", ("list",), _duplicate_values),
    Builtin("flatten", ("list",), _flatten),
    Builtin("sort", ("list", "precedes"), _sort),
    Builtin("string join", ("list",), _string_join),
    Builtin("string join", ("list", "delimiter"), _string_join),
    Builtin("string join", ("list", "delimiter", "prefix", "suffix"), _string_join),
    Builtin("is empty", ("list",), _is_empty),
    Builtin("partition", ("list", "size"), _partition),
    Builtin("list replace", ("list", "position", "newItem"), _list_replace),
    Builtin("list replace", ("list", "match", "newItem"), _list_replace),
]
