"""Zeebe's gRPC shapes of the operator's commands: ModifyProcessInstance (activate and
terminate instructions, variable instructions as JSON text per scope) and DeleteResource,
turned into the engine's commands (checked as the client checks them). Both answer empty
responses, as Zeebe's gateway does; a rejection is mapped like every other RPC's."""

from __future__ import annotations

from typing import Any

from pyzeebe.proto import gateway_pb2 as pb

from broker.protocol import Record
from clients.gateway import messages as m
from clients.operations import delete_command, modify_command


def modify_request_command(request: pb.ModifyProcessInstanceRequest) -> Record[Any]:
    """The MODIFY command of a request; raises `GatewayError` or `InvalidArgumentError`."""
    activate: list[dict[str, Any]] = []
    for index, instruction in enumerate(request.activateInstructions):
        scoped = []
        for number, variables in enumerate(instruction.variableInstructions):
            field = f"activateInstructions[{index}].variableInstructions[{number}].variables"
            document = m.variables("modify_instance", variables.variables, field)
            scoped.append({"scopeId": variables.scopeId, "variables": document or {}})
        activate.append(
            {
                "elementId": instruction.elementId,
                "ancestorElementInstanceKey": (
                    instruction.ancestorElementInstanceKey
                    if instruction.ancestorElementInstanceKey > 0
                    else None
                ),
                "variableInstructions": scoped,
            }
        )
    terminate = [t.elementInstanceKey for t in request.terminateInstructions]
    return modify_command(request.processInstanceKey, activate, terminate)


def delete_request_command(request: pb.DeleteResourceRequest) -> Record[Any]:
    return delete_command(request.resourceKey)
