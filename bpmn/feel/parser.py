"""Recursive-descent FEEL parser: tokens into the syntax tree of `bpmn.feel.ast`.

It follows feel-scala's grammar (precedence: `if`/`for`/`some`/`every` < `or` < `and` <
comparisons, `between`, `in`, `instance of` < `+ -` < `* /` < `**` < unary `-` < path, filter,
invocation < terminals) with a few supersets of it: ranges are values anywhere (`[1..5]`,
`< 5`), any value can be invoked (`(function(x) x)(1)`), and adjacent words form one name, so
`order item` names the variable `order item` and `string length(s)` the built-in.

Nesting depth is bounded (limits.MAX_NESTING_DEPTH) so that `((((...` fails with a
FeelSyntaxError instead of exhausting the Python stack.
"""

from __future__ import annotations

from decimal import Decimal

from bpmn.feel import ast
from bpmn.feel.errors import FeelSyntaxError
from bpmn.feel.lexer import Kind, Token, tokenize
from bpmn.feel.limits import MAX_NESTING_DEPTH
from bpmn.feel.values import decimal128

# words that end a multi-word name: FEEL's reserved words plus the ones that continue a
# comparison (`x between 1 and 2`, `x instance of T`)
_RESERVED = frozenset(
    {"null", "true", "false", "function", "in", "return", "then", "else", "satisfies", "and", "or"}
)
_NAME_STOP = _RESERVED | {"between"}

# built-in function names that contain reserved words, recognized before `(`
_KEYWORD_FUNCTION_NAMES = (
    ("years", "and", "months", "duration"),
    ("date", "and", "time"),
    ("get", "or", "else"),
)
# type names that contain reserved words
_KEYWORD_TYPE_NAMES = (
    ("years", "and", "months", "duration"),
    ("days", "and", "time", "duration"),
    ("date", "and", "time"),
)

_COMPARISON_OPS = frozenset({"=", "!=", "<", "<=", ">", ">="})
_UNARY_COMPARISON_OPS = frozenset({"<", "<=", ">", ">="})
# tokens after which `if`, `for`, `some`, `every` are names, not keywords
_NAME_FOLLOWERS = frozenset(
    {".", "[", "=", "!=", "<", "<=", ">", ">=", ")", "]", "}", ",", ":", "+", "*", "/", "**"}
)

# precedence levels for binary operators
_OR, _AND, _COMPARE, _ADD, _MUL, _POW = 1, 2, 3, 4, 5, 6
_LEVEL_OPERATORS = {_ADD: ("+", "-"), _MUL: ("*", "/")}


def parse_expression(text: str) -> ast.Node:
    parser = _Parser(text)
    node = parser.expression()
    parser.expect_end()
    return node


def parse_unary_tests(text: str) -> ast.UnaryTests:
    parser = _Parser(text)
    return parser.unary_tests()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0
        self.no_filter_depth = -1

    # ------------------------------------------------------------------ helpers

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def peek(self, offset: int = 1) -> Token:
        index = min(self.index + offset, len(self.tokens) - 1)
        return self.tokens[index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not Kind.EOF:
            self.index += 1
        return token

    def error(self, message: str, token: Token | None = None) -> FeelSyntaxError:
        token = token or self.token
        return FeelSyntaxError(message, token.start, self.text)

    def unexpected(self, expected: str) -> FeelSyntaxError:
        return self.error(f"expected {expected} but found {self.token.describe()}")

    def is_op(self, value: str, token: Token | None = None) -> bool:
        token = token or self.token
        return token.kind is Kind.OP and token.value == value

    def is_word(self, value: str, token: Token | None = None) -> bool:
        token = token or self.token
        return token.kind is Kind.NAME and token.value == value

    def accept_op(self, value: str) -> bool:
        if self.is_op(value):
            self.index += 1
            return True
        return False

    def expect_op(self, value: str) -> Token:
        if not self.is_op(value):
            raise self.unexpected(f"'{value}'")
        return self.advance()

    def expect_word(self, value: str) -> Token:
        if not self.is_word(value):
            raise self.unexpected(f"'{value}'")
        return self.advance()

    def expect_end(self) -> None:
        if self.token.kind is not Kind.EOF:
            raise self.error(f"unexpected {self.token.describe()}")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING_DEPTH:
            raise self.error(f"expression is nested deeper than {MAX_NESTING_DEPTH} levels")

    def words_match(self, words: tuple[str, ...]) -> bool:
        return all(self.is_word(word, self.peek(i)) for i, word in enumerate(words))

    # ------------------------------------------------------------------ names

    def name(self, what: str = "a name") -> str:
        """One name: a backtick-quoted name, or adjacent words up to a reserved word."""
        token = self.token
        if token.kind is Kind.QUOTED_NAME:
            self.advance()
            return token.value
        if token.kind is not Kind.NAME or token.value in _RESERVED:
            raise self.unexpected(what)
        words = [self.advance().value]
        while self.token.kind is Kind.NAME and not self._ends_name(self.token):
            words.append(self.advance().value)
        return " ".join(words)

    def _ends_name(self, token: Token) -> bool:
        if token.value in _NAME_STOP:
            return True
        return token.value == "instance" and self.is_word("of", self.peek())

    def keyword_function_name(self) -> str | None:
        for words in _KEYWORD_FUNCTION_NAMES:
            if self.words_match(words) and self.is_op("(", self.peek(len(words))):
                self.index += len(words)
                return " ".join(words)
        return None

    # ------------------------------------------------------------------ expressions

    def expression(self) -> ast.Node:
        self.enter()
        try:
            return self.binary(_OR)
        finally:
            self.depth -= 1

    def operand(self) -> ast.Node:
        """An arithmetic expression (no comparison): an iterator's domain."""
        self.enter()
        try:
            return self.binary(_ADD)
        finally:
            self.depth -= 1

    def binary(self, level: int) -> ast.Node:
        if level == _COMPARE:
            return self.comparison()
        if level > _POW:
            return self.unary()
        left = self.binary(level + 1)
        while True:
            token = self.token
            if level == _OR and self.is_word("or"):
                self.advance()
                left = ast.Disjunction(token.start, left, self.binary(level + 1))
            elif level == _AND and self.is_word("and"):
                self.advance()
                left = ast.Conjunction(token.start, left, self.binary(level + 1))
            elif token.kind is Kind.OP and token.value in _LEVEL_OPERATORS.get(level, ()):
                self.advance()
                left = ast.Arithmetic(token.start, token.value, left, self.binary(level + 1))
            elif level == _POW and self.is_op("**"):
                self.advance()
                left = ast.Arithmetic(token.start, "**", left, self.binary(level + 1))
            else:
                return left

    def comparison(self) -> ast.Node:
        left = self.binary(_ADD)
        while True:
            token = self.token
            if token.kind is Kind.OP and token.value in _COMPARISON_OPS:
                self.advance()
                left = ast.Comparison(token.start, token.value, left, self.binary(_ADD))
            elif self.is_word("between"):
                self.advance()
                low = self.binary(_ADD)
                self.expect_word("and")
                left = ast.Between(token.start, left, low, self.binary(_ADD))
            elif self.is_word("in"):
                self.advance()
                left = ast.In(token.start, left, self.in_tests())
            elif self.is_word("instance") and self.is_word("of", self.peek()):
                self.index += 2
                left = ast.InstanceOf(token.start, left, self.type_spec())
            else:
                return left

    def unary(self) -> ast.Node:
        token = self.token
        if self.is_op("-"):
            self.advance()
            self.enter()
            try:
                operand = self.unary()
            finally:
                self.depth -= 1
            if isinstance(operand, ast.Literal) and isinstance(operand.value, Decimal):
                return ast.Literal(token.start, -operand.value)
            return ast.Negation(token.start, operand)
        return self.postfix()

    def postfix(self) -> ast.Node:
        node = self.primary()
        while True:
            token = self.token
            if self.is_op("."):
                self.advance()
                node = ast.Path(token.start, node, self.name("a name after '.'"))
            elif self.is_op("[") and self.depth != self.no_filter_depth:
                self.advance()
                condition = self.expression()
                self.expect_op("]")
                node = ast.Filter(token.start, node, condition)
            elif self.is_op("(") and not isinstance(node, ast.Literal):
                node = self.call(node)
            else:
                return node

    def call(self, callee: ast.Node) -> ast.Call:
        start = self.expect_op("(")
        args: list[ast.Node] = []
        named: list[tuple[str, ast.Node]] | None = None
        if not self.is_op(")"):
            if self.starts_named_argument():
                named = []
                while True:
                    key = self.name("a parameter name")
                    self.expect_op(":")
                    named.append((key, self.expression()))
                    if not self.accept_op(","):
                        break
            else:
                while True:
                    args.append(self.expression())
                    if not self.accept_op(","):
                        break
        self.expect_op(")")
        return ast.Call(
            start.start if isinstance(callee, ast.Name) is False else callee.pos,
            callee,
            tuple(args),
            tuple(named) if named is not None else None,
        )

    def starts_named_argument(self) -> bool:
        offset = 0
        if self.peek(0).kind is Kind.QUOTED_NAME:
            return self.is_op(":", self.peek(1))
        while self.peek(offset).kind is Kind.NAME and self.peek(offset).value not in _RESERVED:
            offset += 1
        return offset > 0 and self.is_op(":", self.peek(offset))

    # ------------------------------------------------------------------ terminals

    def primary(self) -> ast.Node:
        token = self.token
        kind = token.kind
        if kind is Kind.NUMBER:
            self.advance()
            return _number(token)
        if kind is Kind.STRING:
            self.advance()
            return ast.Literal(token.start, token.value)
        if kind is Kind.QUOTED_NAME:
            return ast.Name(token.start, self.name())
        if kind is Kind.NAME:
            return self.word_primary(token)
        if kind is Kind.OP:
            value = token.value
            if value == "(":
                return self.parenthesized()
            if value == "[":
                return self.list_or_range()
            if value == "]":
                self.advance()
                return self.range_rest(token, start_included=False)
            if value == "{":
                return self.context()
            if value == "?":
                self.advance()
                return ast.InputValue(token.start)
            if value == "@":
                self.advance()
                if self.token.kind is not Kind.STRING:
                    raise self.unexpected("a string after '@'")
                return ast.TemporalLiteral(token.start, self.advance().value)
            if value == "=":  # DMN 1.5: `=10` is the range [10..10]
                self.advance()
                bound = self.binary(_ADD)
                return ast.RangeLiteral(token.start, bound, bound, True, True)
            if value in _UNARY_COMPARISON_OPS:
                self.advance()
                bound = self.binary(_ADD)
                if value in ("<", "<="):
                    return ast.RangeLiteral(token.start, None, bound, False, value == "<=")
                return ast.RangeLiteral(token.start, bound, None, value == ">=", False)
        if kind is Kind.EOF:
            raise self.error("unexpected end of expression")
        raise self.error(f"unexpected {token.describe()}")

    def word_primary(self, token: Token) -> ast.Node:
        word = token.value
        follower = self.peek()
        is_keyword_position = not (follower.kind is Kind.OP and follower.value in _NAME_FOLLOWERS)
        if word == "null":
            self.advance()
            return ast.Literal(token.start, None)
        if word in ("true", "false"):
            self.advance()
            return ast.Literal(token.start, word == "true")
        if word == "function":
            return self.function_definition()
        if word == "if" and is_keyword_position:
            return self.if_expression()
        if word == "for" and is_keyword_position and follower.kind in (Kind.NAME, Kind.QUOTED_NAME):
            return self.for_expression()
        if (
            word in ("some", "every")
            and is_keyword_position
            and follower.kind in (Kind.NAME, Kind.QUOTED_NAME)
        ):
            return self.quantified()
        keyword_name = self.keyword_function_name()
        if keyword_name is not None:
            return ast.Name(token.start, keyword_name)
        return ast.Name(token.start, self.name())

    def parenthesized(self) -> ast.Node:
        open_token = self.expect_op("(")
        inner = self.expression()
        if self.is_op(".."):
            return self.range_after_start(open_token, inner, start_included=False)
        self.expect_op(")")
        return inner

    def list_or_range(self) -> ast.Node:
        open_token = self.expect_op("[")
        if self.accept_op("]"):
            return ast.ListLiteral(open_token.start, ())
        self.enter()
        try:
            first = self.expression()
            if self.is_op(".."):
                return self.range_after_start(open_token, first, start_included=True)
            items = [first]
            while self.accept_op(","):
                items.append(self.expression())
            self.expect_op("]")
            return ast.ListLiteral(open_token.start, tuple(items))
        finally:
            self.depth -= 1

    def range_rest(self, open_token: Token, start_included: bool) -> ast.RangeLiteral:
        start = self.expression()
        if not self.is_op(".."):
            raise self.unexpected("'..'")
        return self.range_after_start(open_token, start, start_included)

    def range_after_start(
        self, open_token: Token, start: ast.Node, start_included: bool
    ) -> ast.RangeLiteral:
        self.expect_op("..")
        saved, self.no_filter_depth = self.no_filter_depth, self.depth + 1
        try:
            end = self.expression()  # `[1..10[` closes with `[`: no filter on the end bound
        finally:
            self.no_filter_depth = saved
        close = self.token
        if close.kind is Kind.OP and close.value in ("]", ")", "["):
            self.advance()
            return ast.RangeLiteral(
                open_token.start, start, end, start_included, close.value == "]"
            )
        raise self.unexpected("']', ')' or '[' to close the range")

    def context(self) -> ast.ContextLiteral:
        open_token = self.expect_op("{")
        entries: list[tuple[str, ast.Node]] = []
        self.enter()
        try:
            if self.accept_op("}"):
                return ast.ContextLiteral(open_token.start, ())
            while True:
                key = self.context_key()
                self.expect_op(":")
                entries.append((key, self.expression()))
                if self.accept_op("}"):
                    return ast.ContextLiteral(open_token.start, tuple(entries))
                if not self.accept_op(","):
                    raise self.unexpected("',' or '}'")
        finally:
            self.depth -= 1

    def context_key(self) -> str:
        token = self.token
        if token.kind in (Kind.STRING, Kind.QUOTED_NAME) and self.is_op(":", self.peek()):
            self.advance()
            return token.value
        # any characters up to ':' except the reserved symbols (feel-scala's key rule)
        first = last = token
        count = 0
        while True:
            current = self.token
            if current.kind in (Kind.EOF, Kind.STRING, Kind.QUOTED_NAME):
                raise self.unexpected("a context key")
            if current.kind is Kind.OP and current.value in ":{}[],":
                break
            last = self.advance()
            count += 1
        if count == 0:
            raise self.unexpected("a context key")
        return " ".join(self.text[first.start : last.end].split())

    def function_definition(self) -> ast.FunctionDefinition:
        start = self.expect_word("function")
        self.expect_op("(")
        params: list[str] = []
        if not self.is_op(")"):
            while True:
                params.append(self.name("a parameter name"))
                if self.accept_op(":"):
                    self.type_spec()  # parameter types are documentation only
                if not self.accept_op(","):
                    break
        self.expect_op(")")
        if self.is_word("external"):
            self.advance()
            body = self.context()
            return ast.FunctionDefinition(start.start, tuple(params), body, external=True)
        return ast.FunctionDefinition(start.start, tuple(params), self.expression())

    def if_expression(self) -> ast.If:
        start = self.expect_word("if")
        self.enter()
        try:
            condition = self.expression()
            self.expect_word("then")
            then = self.expression()
            self.expect_word("else")
            otherwise = self.expression()
        finally:
            self.depth -= 1
        return ast.If(start.start, condition, then, otherwise)

    def iterators(self, allow_ranges: bool) -> tuple[tuple[str, ast.Node], ...]:
        iterators: list[tuple[str, ast.Node]] = []
        while True:
            name = self.name("an iterator name")
            self.expect_word("in")
            domain = self.operand()
            while (
                isinstance(domain, ast.Name)
                and self.is_word("in")
                and self.peek().kind is Kind.NAME
                and self.peek().value not in _RESERVED
            ):
                # a variable whose name contains `in` (`for d in days in weekend return d`)
                self.advance()
                domain = ast.Name(domain.pos, f"{domain.name} in {self.name()}")
            if allow_ranges and self.is_op(".."):
                self.advance()
                domain = ast.IterationRange(domain.pos, domain, self.operand())
            iterators.append((name, domain))
            if not self.accept_op(","):
                return tuple(iterators)

    def for_expression(self) -> ast.For:
        start = self.expect_word("for")
        self.enter()
        try:
            iterators = self.iterators(allow_ranges=True)
            self.expect_word("return")
            body = self.expression()
        finally:
            self.depth -= 1
        return ast.For(start.start, iterators, body)

    def quantified(self) -> ast.Quantified:
        start = self.advance()
        self.enter()
        try:
            iterators = self.iterators(allow_ranges=True)
            self.expect_word("satisfies")
            condition = self.expression()
        finally:
            self.depth -= 1
        return ast.Quantified(start.start, start.value == "every", iterators, condition)

    # ------------------------------------------------------------------ types

    def type_spec(self) -> ast.TypeSpec:
        self.enter()
        try:
            return self._type_spec()
        finally:
            self.depth -= 1

    def _type_spec(self) -> ast.TypeSpec:
        for words in _KEYWORD_TYPE_NAMES:
            if self.words_match(words):
                self.index += len(words)
                return ast.TypeSpec(" ".join(words))
        if self.is_word("function") and self.is_op("<", self.peek()):
            self.index += 2
            params: list[ast.TypeSpec] = []
            if not self.is_op(">"):
                while True:
                    params.append(self.type_spec())
                    if not self.accept_op(","):
                        break
            self.expect_op(">")
            self.expect_op("-")
            self.expect_op(">")
            return ast.TypeSpec("function", tuple(params), result=self.type_spec())
        if self.is_word("function"):
            self.advance()
            return ast.TypeSpec("function")
        name = self.name("a type name")
        while self.accept_op("."):  # qualified names such as `feel.number`
            name = self.name("a type name")
        if name in ("list", "range") and self.accept_op("<"):
            element = self.type_spec()
            self.expect_op(">")
            return ast.TypeSpec(name, (element,))
        if name == "context" and self.accept_op("<"):
            fields: list[tuple[str, ast.TypeSpec]] = []
            if not self.is_op(">"):
                while True:
                    key = self.name("a context key")
                    self.expect_op(":")
                    fields.append((key, self.type_spec()))
                    if not self.accept_op(","):
                        break
            self.expect_op(">")
            return ast.TypeSpec("context", fields=tuple(fields))
        return ast.TypeSpec(name)

    # ------------------------------------------------------------------ unary tests

    def in_tests(self) -> tuple[ast.UnaryTest, ...]:
        """The right side of `in`: `(test, test, ...)`, `(a..b)` or a single test."""
        token = self.token
        if not self.is_op("("):
            return (self.positive_unary_test(_ADD),)
        self.advance()
        self.enter()
        try:
            first = self.positive_unary_test(_OR)
            if self.is_op("..") and not first.literal_boolean:
                return (
                    ast.UnaryTest(token.start, self.range_after_start(token, first.test, False)),
                )
            tests = [first]
            while self.accept_op(","):
                tests.append(self.positive_unary_test(_OR))
            self.expect_op(")")
            return tuple(tests)
        finally:
            self.depth -= 1

    def positive_unary_test(self, level: int) -> ast.UnaryTest:
        token = self.token
        if token.kind is Kind.NAME and token.value in ("true", "false"):
            follower = self.peek()
            if follower.kind is Kind.EOF or self.is_op(",", follower) or self.is_op(")", follower):
                self.advance()
                return ast.UnaryTest(
                    token.start, ast.Literal(token.start, token.value == "true"), True
                )
        if self.is_op("!=") or self.is_op("="):  # DMN 1.5 `= x`, `!= x`
            self.advance()
            return ast.UnaryTest(token.start, self.operand(), op=token.value)
        if level == _OR:
            return ast.UnaryTest(token.start, self.expression())
        self.enter()
        try:
            return ast.UnaryTest(token.start, self.binary(level))
        finally:
            self.depth -= 1

    def unary_tests(self) -> ast.UnaryTests:
        token = self.token
        if token.kind is Kind.EOF:
            return ast.UnaryTests(0, (), any=True)
        if self.is_op("-") and self.peek().kind is Kind.EOF:
            return ast.UnaryTests(token.start, (), any=True)
        if self.is_word("not") and self.is_op("(", self.peek()):
            saved = self.index
            try:
                self.index += 2
                tests = self.positive_unary_tests()
                self.expect_op(")")
                self.expect_end()
                return ast.UnaryTests(token.start, tests, negated=True)
            except FeelSyntaxError:
                self.index = saved
                self.depth = 0
        tests = self.positive_unary_tests()
        self.expect_end()
        return ast.UnaryTests(token.start, tests)

    def positive_unary_tests(self) -> tuple[ast.UnaryTest, ...]:
        tests = [self.positive_unary_test(_OR)]
        while self.accept_op(","):
            tests.append(self.positive_unary_test(_OR))
        return tuple(tests)


def _number(token: Token) -> ast.Node:
    """A number literal as decimal128 (34 digits, as feel-scala's BigDecimal with DECIMAL128);
    beyond its exponent range (`1e999999999`) a node that evaluates to null."""
    value = decimal128(token.value)
    if value is None:
        return ast.NumberOutOfRange(token.start, token.value)
    return ast.Literal(token.start, value)
