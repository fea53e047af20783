from decimal import Decimal

from bpmn.feel.builtins import BUILTINS
from bpmn.feel.formatting import format_value
from bpmn.feel.temporal import parse_date_time, parse_duration, parse_time
from bpmn.feel.values import FEEL_DECIMAL_CONTEXT, Range


def test_numbers_print_plain() -> None:
    assert format_value(Decimal("1E+3")) == "1000"
    assert format_value(Decimal("1.50")) == "1.50"
    assert format_value(Decimal("-0")) == "0"
    assert (
        format_value(FEEL_DECIMAL_CONTEXT.divide(Decimal(1), Decimal(3)))
        == "0.3333333333333333333333333333333333"
    )


def test_nested_values() -> None:
    value = {"a": [Decimal(1), "x", None, True], "b": parse_duration("P1DT2H")}
    assert format_value(value) == '{a:[1, "x", null, true], b:P1DT2H}'
    assert format_value("raw") == "raw"
    assert format_value(Range(Decimal(1), Decimal(10), True, False)) == "[1..10)"


def test_temporal_forms() -> None:
    assert format_value(parse_date_time("2020-01-01T10:00:00+01:00")) == "2020-01-01T10:00:00+01:00"
    assert format_value(parse_time("10:00:00.5Z")) == "10:00:00.5Z"
    assert format_value(parse_duration("P0M")) == "P0Y"


def test_to_json() -> None:
    to_json = BUILTINS["to json"][0].impl
    value = {"a": Decimal("1.50"), "t": parse_date_time("2020-01-01T10:00:00@Europe/Paris")}
    assert to_json(value) == '{"a":1.50,"t":"2020-01-01T10:00:00+01:00[Europe/Paris]"}'
    from_json = BUILTINS["from json"][0].impl
    assert from_json('{"a": [1, 2.5, null]}') == {"a": [Decimal(1), Decimal("2.5"), None]}
