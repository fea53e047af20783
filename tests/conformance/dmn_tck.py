"""DMN TCK conformance runner: `python -m tests.conformance.dmn_tck [--write-report PATH]`.

Runs every test case of the DMN TCK's compliance-level-2 folders (decision tables, hit
policies) and compliance-level-3 folders (FEEL folders included) from
../shared/conformance/dmn-tck ($HONEYFLOW_SHARED/conformance/dmn-tck, or --tck DIR) through
`bpmn.dmn`, as tests/conformance/tck_cases.py runs and compares them. Camunda's figures on
the same cases come from `camunda-dmn-scala-1.9.0-results.csv`. The last line printed is
`dmn-tck: level-2 A/B, level-3 C/D`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bpmn.dmn.types import Typing
from tests.conformance.tck_cases import (
    CAMUNDA_RESULTS,
    DEFAULT_TCK,
    REPO,
    CaseResult,
    by_folder,
    camunda_statuses,
    passed_of,
    run_folder,
)

LEVELS = ("compliance-level-2", "compliance-level-3")

# Why the failing folders fail, for the report (keep in step with docs/dmn-conformance.md).
CAUSES: dict[str, str] = {
    "0021-singleton-list": "FEEL: a built-in function given a singleton list does not take"
    " its element (DMN's conversion on invocation), as feel-scala has no such conversion.",
    "0036-dt-variable-input": "An input entry that is a boolean expression"
    " (`Complex.aBoolean`) matches when it is true, whatever the input value: feel-scala's"
    " rule for unary tests, so Camunda's engine fails these cases too.",
    "0057-feel-context": "FEEL: a context literal with a key twice keeps the last (as"
    " feel-scala) where the TCK wants null.",
    "0068-feel-equality": "FEEL: times and date-times compare to the microsecond (the TCK"
    " wants 0.0001 s and 0.0002 s equal); unary tests as values (`(=10)`, `(!=10)`) are"
    " not read.",
    "0076-feel-external-java": "Java functions: never supported (no way to reach the host"
    " language from a model, by design).",
    "0082-feel-coercion": "FEEL: the typed parameters of a function literal"
    " (`function(arg: number) arg`) are not checked.",
    "0086-import": "DMN imports of other models: not supported (each DMN file stands alone,"
    " as a decision requirements graph in Zeebe does).",
    "0089-nested-inputdata-imports": "DMN imports of other models: not supported.",
    "0100-arithmetic": "FEEL: a date minus a date-time (or the reverse) gives null, as in"
    " feel-scala (Camunda's engine fails these cases too).",
    "1111-feel-matches-function": "FEEL: a `\\p{ IsBasicLatin}` block name with spaces"
    " under the `x` flag.",
    "1146-feel-context-put-function": "FEEL: `context put` with a key path through a"
    " missing or non-context entry builds contexts where the TCK wants null.",
    "1155-list-replace-function": "FEEL: `list replace` on a non-list and with a match"
    " function that gives no boolean.",
}


@dataclass(frozen=True)
class LevelResults:
    level: str
    results: list[CaseResult]

    @property
    def non_feel(self) -> list[CaseResult]:
        return [r for r in self.results if "-feel-" not in r.folder]


def run(tck: Path, typing: Typing = "dmn") -> list[LevelResults]:
    camunda = {key for key, status in camunda_statuses(tck).items() if status == "SUCCESS"}
    levels = []
    for level in LEVELS:
        results: list[CaseResult] = []
        for folder in sorted((tck / level).iterdir()):
            if folder.is_dir():
                results.extend(run_folder(folder, camunda, typing))
        levels.append(LevelResults(level, results))
    return levels


def summary_line(levels: Sequence[LevelResults]) -> str:
    level_2, level_3 = levels
    return f"dmn-tck: level-2 {passed_of(level_2.results)}, level-3 {passed_of(level_3.results)}"


def camunda_figures(tck: Path) -> dict[str, tuple[int, int]]:
    """Camunda's SUCCESS count and the number of cases its sheet lists, per subset."""
    statuses = camunda_statuses(tck)
    figures: dict[str, tuple[int, int]] = {}
    level_of: dict[str, str] = {}
    for level in LEVELS:
        for folder in (tck / level).iterdir():
            level_of[folder.name] = level
    for subset in ("level-2", "level-3 non-FEEL", "level-3 FEEL"):
        keys = [
            key
            for key in statuses
            if level_of.get(key[0], "").endswith(subset[:7])
            and (subset == "level-2" or ("-feel-" in key[0]) == (subset == "level-3 FEEL"))
        ]
        figures[subset] = (sum(statuses[k] == "SUCCESS" for k in keys), len(keys))
    return figures


def write_report(path: Path, tck: Path, levels: Sequence[LevelResults]) -> None:
    figures = camunda_figures(tck)
    level_2, level_3 = levels
    statuses = camunda_statuses(tck)

    def listed(results: Sequence[CaseResult]) -> list[CaseResult]:
        return [r for r in results if (r.folder, r.case_id) in statuses]

    def row(label: str, results: Sequence[CaseResult], sheet: tuple[int, int]) -> str:
        cases = listed(results)
        camunda = sum(r.camunda for r in cases)
        return f"| {label} | {sheet[0]}/{sheet[1]} | {camunda}/{len(cases)} | {passed_of(cases)} |"

    feel_3 = [r for r in level_3.results if "-feel-" in r.folder]
    lines = [
        "# DMN conformance (DMN TCK)",
        "",
        "Generated by `make dmn-conformance` (`python -m tests.conformance.dmn_tck",
        "--write-report docs/dmn-conformance.md`). Do not edit by hand.",
        "",
        f"`{summary_line(levels)}`",
        "",
        "Every test case of the TCK's compliance-level-2 folders and compliance-level-3 folders",
        "(FEEL folders included) in ../shared/conformance/dmn-tck, run through `bpmn.dmn`.",
        "Models are read leniently (what does not compile fails the cases that use it), and",
        "an expected number of up to 17 significant digits (the TCK computed those in double",
        "precision) matches when 12 digits agree; tests/conformance/tck_cases.py says how",
        "results are compared.",
        "",
        "## Against Camunda's engine",
        "",
        f"`{CAMUNDA_RESULTS}` (dmn-scala 1.9.0, the TCK's published results) lists",
        "Camunda's result per case: the sheet's own count of SUCCESS, then Camunda and",
        "Honeyflow on the cases of the sheet that the folders here still hold:",
        "",
        "| cases | Camunda (whole sheet) | Camunda | Honeyflow |",
        "| --- | --- | --- | --- |",
        row("level 2", level_2.results, figures["level-2"]),
        row("level 3, non-FEEL folders", level_3.non_feel, figures["level-3 non-FEEL"]),
        row("level 3, FEEL folders", feel_3, figures["level-3 FEEL"]),
        "",
        "All cases of the folders, including newer ones the sheet does not list:",
        f"level 2 {passed_of(level_2.results)}, level 3 non-FEEL {passed_of(level_3.non_feel)},",
        f"level 3 all {passed_of(level_3.results)}.",
        "",
        "## Per folder (failing folders only)",
        "",
        "| folder | passed | Camunda passes |",
        "| --- | --- | --- |",
    ]
    for level in levels:
        for folder, items in by_folder(level.results).items():
            if all(r.passed for r in items):
                continue
            camunda = sum(r.camunda for r in items)
            lines.append(f"| {level.level[11:]}/{folder} | {passed_of(items)} | {camunda} |")
    lines += ["", "## Failing cases and why", ""]
    for level in levels:
        for folder, items in by_folder(level.results).items():
            failing = [r for r in items if not r.passed]
            if not failing:
                continue
            lines += [f"### {level.level}/{folder}", ""]
            if folder in CAUSES:
                lines += [CAUSES[folder], ""]
            for r in failing:
                reason = r.reason.replace("|", "\\|").replace("\n", " ").replace("`", "'")
                marker = " (Camunda passes it)" if r.camunda else ""
                lines.append(f"- `{r.case_id}`{marker}: {reason}")
            lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: Sequence[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tck", type=Path, default=DEFAULT_TCK)
    parser.add_argument("--write-report", type=Path, metavar="PATH")
    parser.add_argument("--failures", action="store_true", help="list every failing case")
    parser.add_argument(
        "--typing",
        choices=("dmn", "camunda"),
        default="dmn",
        help="whose type rules to evaluate with (the TCK expects DMN's; processes use Camunda's)",
    )
    args = parser.parse_args(argv)
    if not all((args.tck / level).is_dir() for level in LEVELS):
        out(f"dmn-tck: no TCK at {args.tck} (set HONEYFLOW_SHARED)")
        return 2
    levels = run(args.tck, args.typing)
    for level in levels:
        for folder, items in by_folder(level.results).items():
            camunda = [r for r in items if r.camunda]
            out(
                f"{level.level[11:]}/{folder:46} {passed_of(items):>9} "
                f"camunda {passed_of(camunda):>9}"
            )
    if args.failures:
        for level in levels:
            for r in level.results:
                if not r.passed:
                    mark = " [camunda]" if r.camunda else ""
                    out(f"FAIL {r.folder} {r.case_id}{mark}: {r.reason}")
    if args.write_report:
        write_report(args.write_report, args.tck, levels)
    out(summary_line(levels))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
