"""The `gateway_protocol.Gateway` service: each RPC builds the command our Python client
sends, routes it as the client does (by key, round robin for new instances, the correlation
key's partition for messages, partition 1 for deployments and signals), and turns the answer
into the response, or a rejection into the status Zeebe's gateway gives (`status`).

Commands are awaited without threads (`KafkaTransport.request_async`); what is blocking (a
deployment's wait for every partition, Topology's metadata, the job feed) runs on thread pools
of the gateway's own. No state is kept between RPCs beyond the transport's."""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.metadata
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import grpc
from confluent_kafka.admin import AdminClient
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from broker.protocol import Record
from broker.protocol.intents import JobIntent, MessageIntent, ProcessInstanceCreationIntent
from broker.protocol.values import MessageRecordValue, StartInstruction
from clients import commands as c
from clients.arguments import Arguments
from clients.gateway import decisions, operations
from clients.gateway import messages as m
from clients.gateway.jobs import JobActivation
from clients.gateway.status import GatewayError, check_answer, error_status, invalid_argument
from clients.kafka_transport import KafkaTransport
from clients.migration import migration_record
from clients.tenants import with_tenant
from processors.engine.message_partition import message_partition

DEFAULT_REQUEST_TIMEOUT = 30.0
"""Seconds a command may wait for its answer (Zeebe's gateway: `requestTimeout`)."""

_T = TypeVar("_T")


def _version() -> str:
    try:
        return importlib.metadata.version("honeyflow")
    except importlib.metadata.PackageNotFoundError:
        return "dev"


class GatewayService(pb_grpc.GatewayServicer):
    def __init__(self, transport: KafkaTransport, *, threads: int = 64) -> None:
        self._transport = transport
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="honeyflow-gateway")
        self._round_robin = c.RoundRobin(transport.partition_count)
        self._jobs = JobActivation(transport)

    def close(self) -> None:
        self._jobs.close()
        self._pool.shutdown(wait=False, cancel_futures=True)

    # -- plumbing

    async def _blocking(self, function: Callable[..., _T], *args: Any) -> _T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)

    async def _command(
        self, command: Record[Any], partition: int, timeout: float = DEFAULT_REQUEST_TIMEOUT
    ) -> Record[Any]:
        answer = await self._transport.request_async(command, partition, timeout)
        return check_answer(answer)

    @staticmethod
    async def _abort(context: grpc.aio.ServicerContext[Any, Any], error: BaseException) -> None:
        status = error_status(error)
        await context.abort(status.code, status.message)

    async def _variables(
        self, context: grpc.aio.ServicerContext[Any, Any], call: str, text: str
    ) -> dict[str, Any] | None:
        """The request's variables (None: none given); text that is no JSON object aborts the
        call with INVALID_ARGUMENT."""
        try:
            return m.variables(call, text)
        except GatewayError as error:
            await self._abort(context, error)
            raise

    # -- cluster

    async def Topology(
        self, request: pb.TopologyRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.TopologyResponse:
        try:
            return await self._blocking(self._topology)
        except Exception as error:
            await self._abort(context, error)
            raise

    def _topology(self) -> pb.TopologyResponse:
        topic = self._transport.topics.commands
        admin = AdminClient(dict(self._transport.address.config))
        try:
            metadata = admin.list_topics(topic, timeout=10)
        except Exception as error:
            from clients.errors import ConnectError

            raise ConnectError(str(error)) from None
        found = metadata.topics.get(topic)
        partitions = found.partitions if found is not None else {}
        brokers = []
        for broker in sorted(metadata.brokers.values(), key=lambda b: b.id):
            held = []
            for index, partition in sorted(partitions.items()):
                if broker.id not in partition.replicas:
                    continue
                leader = partition.leader == broker.id
                held.append(
                    pb.Partition(
                        partitionId=index + 1,
                        role=pb.Partition.LEADER if leader else pb.Partition.FOLLOWER,
                        health=pb.Partition.HEALTHY,
                    )
                )
            brokers.append(
                pb.BrokerInfo(
                    nodeId=broker.id,
                    host=str(broker.host),
                    port=broker.port,
                    partitions=held,
                    version=_version(),
                )
            )
        return pb.TopologyResponse(
            brokers=brokers,
            clusterSize=len(brokers),
            partitionsCount=len(partitions),
            replicationFactor=self._transport.topics.replication_factor,
            gatewayVersion=_version(),
        )

    # -- deployments and instances

    async def DeployResource(
        self, request: pb.DeployResourceRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.DeployResourceResponse:
        try:
            if not request.resources:
                raise invalid_argument("Expected to deploy at least one resource, but none given")
            command = c.deploy_command(tuple(r.content for r in request.resources))
            resources = tuple(
                dataclasses.replace(item, resource_name=r.name or item.resource_name)
                for item, r in zip(command.value.resources, request.resources, strict=True)
            )
            command = Record.command(
                command.intent, dataclasses.replace(command.value, resources=resources)
            )
            command = _tenant(command, "deploy", request.tenantId)
            answer = await self._command(command, c.DEPLOYMENT_PARTITION)
        except Exception as error:
            await self._abort(context, error)
            raise
        value = answer.value
        return pb.DeployResourceResponse(
            key=answer.key,
            deployments=[
                *(
                    pb.Deployment(
                        process=pb.ProcessMetadata(
                            bpmnProcessId=p.bpmn_process_id,
                            version=p.version,
                            processDefinitionKey=p.process_definition_key,
                            resourceName=p.resource_name,
                            tenantId=p.tenant_id,
                        )
                    )
                    for p in value.processes_metadata
                ),
                *decisions.deployed_decisions(value),
            ],
            tenantId=value.tenant_id,
        )

    def _create_command(
        self, request: pb.CreateProcessInstanceRequest, with_result: bool, fetch: tuple[str, ...]
    ) -> Record[Any]:
        call = "create_instance"
        a = Arguments(call)
        if request.processDefinitionKey <= 0 and not request.bpmnProcessId:
            raise invalid_argument(
                "Expected either processDefinitionKey or bpmnProcessId to be set, but neither was"
            )
        command = c.create_command(
            request.bpmnProcessId,
            m.variables(call, request.variables),
            None if request.version <= 0 or request.processDefinitionKey > 0 else request.version,
            with_result,
            fetch,
        )
        value = command.value
        if request.processDefinitionKey > 0:
            key = a.key("processDefinitionKey", request.processDefinitionKey)
            value = dataclasses.replace(value, process_definition_key=key, bpmn_process_id="")
        if request.startInstructions:
            value = dataclasses.replace(
                value,
                start_instructions=tuple(
                    StartInstruction(s.elementId) for s in request.startInstructions
                ),
            )
        intent = (
            ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT
            if with_result
            else ProcessInstanceCreationIntent.CREATE
        )
        return _tenant(Record.command(intent, value), call, request.tenantId)

    async def CreateProcessInstance(
        self,
        request: pb.CreateProcessInstanceRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> pb.CreateProcessInstanceResponse:
        try:
            command = self._create_command(request, False, ())
            answer = await self._command(command, self._round_robin.next())
        except Exception as error:
            await self._abort(context, error)
            raise
        v = answer.value
        return pb.CreateProcessInstanceResponse(
            processDefinitionKey=v.process_definition_key,
            bpmnProcessId=v.bpmn_process_id,
            version=v.version,
            processInstanceKey=v.process_instance_key,
            tenantId=v.tenant_id,
        )

    async def CreateProcessInstanceWithResult(
        self,
        request: pb.CreateProcessInstanceWithResultRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> pb.CreateProcessInstanceWithResultResponse:
        try:
            fetch = tuple(request.fetchVariables)
            command = self._create_command(request.request, True, fetch)
            timeout = _request_timeout(request.requestTimeout, context)
            answer = await self._command(command, self._round_robin.next(), timeout)
        except Exception as error:
            await self._abort(context, error)
            raise
        v = answer.value
        return pb.CreateProcessInstanceWithResultResponse(
            processDefinitionKey=v.process_definition_key,
            bpmnProcessId=v.bpmn_process_id,
            version=v.version,
            processInstanceKey=v.process_instance_key,
            variables=m.as_json(m.fetched(dict(v.variables), fetch)),
            tenantId=v.tenant_id,
        )

    async def CancelProcessInstance(
        self,
        request: pb.CancelProcessInstanceRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> pb.CancelProcessInstanceResponse:
        key = request.processInstanceKey
        await self._keyed(context, c.cancel_command(key), key)
        return pb.CancelProcessInstanceResponse()

    async def _keyed(
        self, context: grpc.aio.ServicerContext[Any, Any], command: Record[Any], key: int
    ) -> Record[Any]:
        """A command about `key`, sent to the partition the key belongs to."""
        try:
            return await self._command(command, c.partition_of(key))
        except Exception as error:
            await self._abort(context, error)
            raise

    # -- messages and signals

    async def PublishMessage(
        self, request: pb.PublishMessageRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.PublishMessageResponse:
        try:
            if not request.name:
                raise invalid_argument("Expected a message name, but none given")
            if request.timeToLive < 0:
                raise invalid_argument(
                    f"Expected timeToLive to be at least 0, but was {request.timeToLive}"
                )
            value = MessageRecordValue(
                name=request.name,
                correlation_key=request.correlationKey,
                time_to_live=request.timeToLive,
                message_id=request.messageId,
                variables=m.variables("publish_message", request.variables) or {},
            )
            command = _tenant(
                Record.command(MessageIntent.PUBLISH, value), "publish_message", request.tenantId
            )
            partition = message_partition(request.correlationKey, self._transport.partition_count)
            answer = await self._command(command, partition)
        except Exception as error:
            await self._abort(context, error)
            raise
        return pb.PublishMessageResponse(key=answer.key, tenantId=answer.value.tenant_id)

    async def BroadcastSignal(
        self, request: pb.BroadcastSignalRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.BroadcastSignalResponse:
        try:
            if not request.signalName:
                raise invalid_argument("Expected a signal name, but none given")
            command = c.signal_command(
                request.signalName, m.variables("broadcast_signal", request.variables)
            )
            command = _tenant(command, "broadcast_signal", request.tenantId)
            answer = await self._command(command, c.DEPLOYMENT_PARTITION)
        except Exception as error:
            await self._abort(context, error)
            raise
        return pb.BroadcastSignalResponse(key=answer.key, tenantId=answer.value.tenant_id)

    # -- jobs

    async def ActivateJobs(
        self, request: pb.ActivateJobsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[pb.ActivateJobsResponse]:
        try:
            jobs = await self._jobs.activate(request, context)
        except Exception as error:
            await self._abort(context, error)
            raise
        if jobs:
            try:
                await context.write(pb.ActivateJobsResponse(jobs=jobs))
            except Exception:
                await self._jobs.give_back(jobs)
                raise
        return
        yield  # an async generator: the response stream

    async def StreamActivatedJobs(
        self, request: pb.StreamActivatedJobsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[pb.ActivatedJob]:
        try:
            _check_stream(request)
            async for jobs in self._jobs.stream(request, context):
                for index, job in enumerate(jobs):
                    try:
                        await context.write(job)
                    except BaseException:
                        await self._jobs.give_back(jobs[index:])
                        raise
        except Exception as error:
            if not context.done():
                await self._abort(context, error)
            raise
        return
        yield  # an async generator: the response stream

    async def CompleteJob(
        self, request: pb.CompleteJobRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.CompleteJobResponse:
        variables = await self._variables(context, "complete_job", request.variables)
        command = c.job_command(JobIntent.COMPLETE, request.jobKey, variables=variables or {})
        await self._keyed(context, command, request.jobKey)
        return pb.CompleteJobResponse()

    async def FailJob(
        self, request: pb.FailJobRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.FailJobResponse:
        variables = await self._variables(context, "fail_job", request.variables)
        fields = c.fail_fields(
            request.retries, request.errorMessage, request.retryBackOff, variables
        )
        command = c.job_command(JobIntent.FAIL, request.jobKey, **fields)
        await self._keyed(context, command, request.jobKey)
        return pb.FailJobResponse()

    async def ThrowError(
        self, request: pb.ThrowErrorRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ThrowErrorResponse:
        variables = await self._variables(context, "throw_error", request.variables)
        command = c.job_command(
            JobIntent.THROW_ERROR,
            request.jobKey,
            error_code=request.errorCode,
            error_message=request.errorMessage,
            variables=variables or {},
        )
        await self._keyed(context, command, request.jobKey)
        return pb.ThrowErrorResponse()

    async def UpdateJobRetries(
        self, request: pb.UpdateJobRetriesRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.UpdateJobRetriesResponse:
        command = c.job_command(JobIntent.UPDATE_RETRIES, request.jobKey, retries=request.retries)
        await self._keyed(context, command, request.jobKey)
        return pb.UpdateJobRetriesResponse()

    async def UpdateJobTimeout(
        self, request: pb.UpdateJobTimeoutRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.UpdateJobTimeoutResponse:
        command = c.job_command(JobIntent.UPDATE_TIMEOUT, request.jobKey, timeout=request.timeout)
        await self._keyed(context, command, request.jobKey)
        return pb.UpdateJobTimeoutResponse()

    # -- variables and incidents

    async def SetVariables(
        self, request: pb.SetVariablesRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.SetVariablesResponse:
        variables = await self._variables(context, "set_variables", request.variables)
        if variables is None:
            error = invalid_argument("Expected variables to be a JSON object, but none given")
            await self._abort(context, error)
            raise error
        key = request.elementInstanceKey
        command = c.set_variables_command(key, variables, request.local)
        answer = await self._keyed(context, command, key)
        return pb.SetVariablesResponse(key=answer.key)

    async def ResolveIncident(
        self, request: pb.ResolveIncidentRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ResolveIncidentResponse:
        key = request.incidentKey
        await self._keyed(context, c.resolve_command(key), key)
        return pb.ResolveIncidentResponse()

    async def EvaluateDecision(
        self, request: pb.EvaluateDecisionRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.EvaluateDecisionResponse:
        variables = await self._variables(context, "evaluate_decision", request.variables)
        try:
            command = c.evaluate_decision_command(
                request.decisionId or None,
                request.decisionKey if request.decisionKey > 0 else None,
                variables or {},
            )
            command = _tenant(command, "evaluate_decision", request.tenantId)
            answer = await self._command(command, self._round_robin.next())
        except Exception as error:
            await self._abort(context, error)
            raise
        return decisions.evaluation_response(answer)

    # -- not implemented yet (docs/gateway.md)

    async def DeployProcess(
        self, request: pb.DeployProcessRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.DeployProcessResponse:
        await _NotYet.refuse(context, "DeployProcess (deprecated by Zeebe: use DeployResource)")
        raise AssertionError("unreachable")

    async def ModifyProcessInstance(
        self,
        request: pb.ModifyProcessInstanceRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> pb.ModifyProcessInstanceResponse:
        try:
            command = operations.modify_request_command(request)
        except Exception as error:
            await self._abort(context, error)
            raise
        await self._keyed(context, command, command.key)
        return pb.ModifyProcessInstanceResponse()

    async def MigrateProcessInstance(
        self,
        request: pb.MigrateProcessInstanceRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> pb.MigrateProcessInstanceResponse:
        key = request.processInstanceKey
        plan = request.migrationPlan
        pairs = [(i.sourceElementId, i.targetElementId) for i in plan.mappingInstructions]
        command = migration_record(key, plan.targetProcessDefinitionKey, pairs)
        await self._keyed(context, command, key)
        return pb.MigrateProcessInstanceResponse()

    async def DeleteResource(
        self, request: pb.DeleteResourceRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.DeleteResourceResponse:
        try:
            command = operations.delete_request_command(request)
        except Exception as error:
            await self._abort(context, error)
            raise
        await self._keyed(context, command, request.resourceKey)
        return pb.DeleteResourceResponse()


def _check_stream(request: pb.StreamActivatedJobsRequest) -> None:
    if not request.type:
        raise invalid_argument("Expected to stream jobs of a type, but the type was blank")
    if request.timeout < 1:
        raise invalid_argument(
            f"Expected to stream jobs with a timeout greater than 0, but it was {request.timeout}"
        )


def _tenant(command: Record[Any], call: str, tenant_id: str) -> Record[Any]:
    """The request's tenant on the command; empty means the default tenant."""
    return with_tenant(command, call, tenant_id or None)


def _request_timeout(millis: int, context: grpc.aio.ServicerContext[Any, Any]) -> float:
    """Seconds to wait for a create-with-result: the request's `requestTimeout`, or else
    what is left of the call's deadline, or else the default."""
    if millis > 0:
        return millis / 1000
    remaining = context.time_remaining()
    if remaining is not None and remaining > 0:
        return float(remaining)
    return DEFAULT_REQUEST_TIMEOUT


class _NotYet:
    """RPCs the engine has nothing for yet: UNIMPLEMENTED, naming what is missing."""

    @staticmethod
    async def refuse(context: grpc.aio.ServicerContext[Any, Any], what: str) -> None:
        await context.abort(
            grpc.StatusCode.UNIMPLEMENTED, f"{what} is not implemented by Honeyflow yet"
        )
