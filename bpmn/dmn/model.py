"""The executable DMN model: frozen values built once by `bpmn.dmn.reader` from a DMN file.

Expressions are a small tree of boxed expressions (literal, context, list, relation,
invocation, function definition, decision table, and DMN 1.5's conditional, filter, for,
some and every); FEEL text is compiled when the model is read. A piece of FEEL that does
not compile is kept as `Broken` so a lenient reader (the TCK runner) can still evaluate the
rest; `parse_dmn` refuses such a model with the problems it found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from bpmn.feel import CompiledExpression, CompiledUnaryTests


@dataclass(frozen=True, slots=True)
class Broken:
    """An expression that cannot run (a FEEL syntax error, an unsupported construct)."""

    id: str | None
    type_ref: str | None
    message: str


@dataclass(frozen=True, slots=True)
class Literal:
    id: str | None
    type_ref: str | None
    text: str
    compiled: CompiledExpression | None  # None for an empty text: null


@dataclass(frozen=True, slots=True)
class ContextEntry:
    name: str | None  # None: the final result entry
    type_ref: str | None
    value: Expression | None


@dataclass(frozen=True, slots=True)
class Context:
    id: str | None
    type_ref: str | None
    entries: tuple[ContextEntry, ...]


@dataclass(frozen=True, slots=True)
class ListExpression:
    id: str | None
    type_ref: str | None
    items: tuple[Expression, ...]


@dataclass(frozen=True, slots=True)
class Relation:
    id: str | None
    type_ref: str | None
    columns: tuple[str, ...]
    rows: tuple[tuple[Expression | None, ...], ...]


@dataclass(frozen=True, slots=True)
class Invocation:
    id: str | None
    type_ref: str | None
    callee: Expression | None
    bindings: tuple[tuple[str, Expression | None], ...]


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    type_ref: str | None


@dataclass(frozen=True, slots=True)
class FunctionDefinition:
    id: str | None
    type_ref: str | None
    kind: str  # FEEL; Java and PMML are refused as Broken
    parameters: tuple[Parameter, ...]
    body: Expression | None


@dataclass(frozen=True, slots=True)
class Conditional:
    """DMN 1.5 boxed conditional: if / then / else."""

    id: str | None
    type_ref: str | None
    condition: Expression | None
    then: Expression | None
    otherwise: Expression | None


@dataclass(frozen=True, slots=True)
class Filter:
    """DMN 1.5 boxed filter: `in[match]`, `item` naming each element."""

    id: str | None
    type_ref: str | None
    source: Expression | None
    match: Expression | None


@dataclass(frozen=True, slots=True)
class Iterator:
    """DMN 1.5 boxed for / some / every over `source`, binding `variable`."""

    id: str | None
    type_ref: str | None
    kind: str  # for, some, every
    variable: str
    source: Expression | None
    body: Expression | None  # `return` of for, `satisfies` of some/every


class HitPolicy(Enum):
    UNIQUE = "UNIQUE"
    FIRST = "FIRST"
    PRIORITY = "PRIORITY"
    ANY = "ANY"
    COLLECT = "COLLECT"
    RULE_ORDER = "RULE ORDER"
    OUTPUT_ORDER = "OUTPUT ORDER"


class Aggregation(Enum):
    SUM = "SUM"
    MIN = "MIN"
    MAX = "MAX"
    COUNT = "COUNT"


@dataclass(frozen=True, slots=True)
class UnaryTests:
    text: str
    compiled: CompiledUnaryTests | None  # None: `-` or empty, matches anything
    error: str | None = None  # a syntax error (lenient reading only)


@dataclass(frozen=True, slots=True)
class TableInput:
    id: str | None
    label: str  # the input's label, else its expression text
    expression: Expression
    type_ref: str | None
    input_values: UnaryTests | None


@dataclass(frozen=True, slots=True)
class TableOutput:
    id: str | None
    name: str
    label: str
    type_ref: str | None
    output_values: Expression | None  # `"a","b"` compiled as the list [ "a","b" ]
    default: Expression | None


@dataclass(frozen=True, slots=True)
class Rule:
    id: str | None
    index: int  # 1-based, in document order
    input_entries: tuple[UnaryTests, ...]
    output_entries: tuple[Expression, ...]


@dataclass(frozen=True, slots=True)
class DecisionTable:
    id: str | None
    type_ref: str | None
    hit_policy: HitPolicy
    aggregation: Aggregation | None
    inputs: tuple[TableInput, ...]
    outputs: tuple[TableOutput, ...]
    rules: tuple[Rule, ...]


Expression = (
    Literal
    | Context
    | ListExpression
    | Relation
    | Invocation
    | FunctionDefinition
    | DecisionTable
    | Conditional
    | Filter
    | Iterator
    | Broken
)


@dataclass(frozen=True, slots=True)
class ItemDefinition:
    """A DMN type: a base type, a collection of one, or a structure of components."""

    name: str
    type_ref: str | None
    collection: bool
    components: tuple[ItemDefinition, ...]
    allowed_values: UnaryTests | None
    function: bool = False


@dataclass(frozen=True, slots=True)
class InputData:
    id: str
    name: str
    type_ref: str | None


@dataclass(frozen=True, slots=True)
class BusinessKnowledgeModel:
    id: str
    name: str
    type_ref: str | None
    logic: Expression | None  # a FunctionDefinition, or Broken
    required_knowledge: tuple[str, ...]  # ids of BKMs and decision services


@dataclass(frozen=True, slots=True)
class DecisionService:
    id: str
    name: str
    type_ref: str | None
    output_decisions: tuple[str, ...]  # ids
    encapsulated_decisions: tuple[str, ...]
    input_decisions: tuple[str, ...]
    input_data: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    id: str
    name: str
    type_ref: str | None  # the decision's variable type
    logic: Expression | None
    required_decisions: tuple[str, ...]  # ids, in document order
    required_knowledge: tuple[str, ...]  # ids of BKMs and decision services
    required_inputs: tuple[str, ...]  # ids of input data
    line: int | None
    variable_name: str | None = None  # the name of its <variable>, when it has one


@dataclass(frozen=True, slots=True)
class DecisionInfo:
    """A decision of a graph as callers see it: its id, name and `zeebe:versionTag` (Camunda 8's
    extension, read by business rule tasks with binding type `versionTag`; "" when none)."""

    id: str
    name: str
    version_tag: str = ""


@dataclass(frozen=True, slots=True)
class DecisionRequirementsGraph:
    """A DMN `definitions`: its decisions (in document order) and what they need."""

    id: str
    name: str
    namespace: str
    resource_name: str
    decisions: tuple[DecisionInfo, ...]
    decision_models: Mapping[str, Decision]  # by id
    knowledge_models: Mapping[str, BusinessKnowledgeModel]  # by id
    services: Mapping[str, DecisionService]  # by id
    input_data: Mapping[str, InputData]  # by id
    item_definitions: Mapping[str, ItemDefinition]  # by name

    def decision_named(self, name: str) -> Decision | None:
        return next((d for d in self.decision_models.values() if d.name == name), None)
