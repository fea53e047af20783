"""The rules over the resources deployed together, beyond each file's own: process ids are
unique within a deployment, and a call activity with binding type `deployment` and a static
process id calls a process of the same deployment (Zeebe's deployment checks).

`honeyflow validate` applies them to the files it is given, `bpmn.validate` to its one file and
the engine's DEPLOYMENT CREATE to its resources, so that what validation accepts is what
deployment accepts. Messages are Zeebe's.
"""

from __future__ import annotations

from collections.abc import Sequence

from bpmn.errors import Problem
from bpmn.model import Definitions


def deployment_problems(resources: Sequence[tuple[str, Definitions]]) -> list[Problem]:
    """The problems of deploying these (resource name, definitions) together, in order."""
    problems: list[Problem] = []
    first_resource: dict[str, str] = {}
    for resource_name, definitions in resources:
        for process in definitions.processes:
            process_id = process.bpmn_process_id
            first = first_resource.get(process_id)
            if first is None:
                first_resource[process_id] = resource_name
                continue
            problems.append(
                Problem(
                    resource_name,
                    process_id,
                    f"process '{process_id}'",
                    process.line,
                    "Expected the process ids to be unique within a deployment but found a"
                    f" duplicated process id '{process_id}' in the resources '{first}' and"
                    f" '{resource_name}'.",
                )
            )
    deployed = set(first_resource)
    for resource_name, definitions in resources:
        for process in definitions.processes:
            for node in process.elements.values():
                called = node.called_element
                if (
                    called is not None
                    and called.binding_type == "deployment"
                    and called.process_id.is_static
                    and called.process_id.static_value not in deployed
                ):
                    problems.append(
                        Problem(
                            resource_name,
                            node.id,
                            f"{node.element_path} > extensionElements > calledElement",
                            node.line,
                            "Expected to find process with id"
                            f" '{called.process_id.static_value}' in current deployment, but"
                            " not found.",
                        )
                    )
    return problems
