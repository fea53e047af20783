"""`honeyflow feel`."""

from __future__ import annotations

import json

from click.testing import CliRunner

from clients.cli.main import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["feel", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_prints_json() -> None:
    code, out, _ = run("1 + amount * 2", "--vars", '{"amount": 0.1}')
    assert code == 0
    assert json.loads(out) == 1.2
    code, out, _ = run('{a: [1, "x", null], b: @"2024-01-02"}')
    assert json.loads(out) == {"a": [1, "x", None], "b": "2024-01-02"}


def test_leading_equals_is_accepted() -> None:
    code, out, _ = run("=x > 1", "--vars", '{"x": 2}')
    assert (code, json.loads(out)) == (0, True)


def test_null_result() -> None:
    code, out, err = run("missing.value", "--warnings")
    assert (code, out.strip()) == (0, "null")
    assert "NO_VARIABLE_FOUND" in err


def test_syntax_error_exit_code_and_position() -> None:
    code, out, err = run("1 +* 2")
    assert code == 1
    assert out == ""
    assert "position 3" in err
    assert "Traceback" not in err + out


def test_evaluation_error() -> None:
    code, _, err = run("for i in 1..1000000000 return i")
    assert code == 1
    assert "limit" in err


def test_bad_vars() -> None:
    result = CliRunner().invoke(cli, ["feel", "1", "--vars", "{nope"])
    assert result.exit_code == 1
    assert "not valid JSON" in result.output
    assert "Traceback" not in result.output


def test_unary_tests_mode() -> None:
    code, out, _ = run("> 5, < 0", "--input", "7")
    assert (code, out.strip()) == (0, "true")


def test_unicode_digit_is_a_one_line_syntax_error() -> None:
    code, out, err = run("1 + ²")
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == "error: at position 4: unexpected '²'"
    assert "Traceback" not in err


def test_numbers_out_of_range_are_clean() -> None:
    code, out, err = run("1e999999999", "--warnings")
    assert (code, out.strip()) == (0, "null")
    assert "out of range" in err
    code, out, err = run("1e5000")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "error: the number 1.000000E+5000 has no JSON form: a JSON integer has at most 4300 digits"
    ]


def test_a_variable_of_any_length_is_read_without_a_traceback() -> None:
    digits = "1" + "0" * 5000
    code, out, err = run("x", "--vars", f'{{"x": {digits}}}')
    assert (code, out) == (1, "")
    assert err.startswith("error: the number 1.000000E+5000 has no JSON form")
    code, out, err = run("x + 1", "--vars", f'{{"x": {digits + "0" * 2000}}}', "--warnings")
    assert (code, out.strip()) == (0, "null")
    assert "decimal128" in err
