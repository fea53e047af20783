"""Authentication of the gateway's clients (`honeyflow gateway --clients FILE`): a gRPC server
interceptor that wants `authorization: Bearer <token>` on every call of the Gateway service
(UNAUTHENTICATED without a valid token) and lets through only what the client's role allows
(PERMISSION_DENIED otherwise, `clients.gateway.authorization`). gRPC's health checks stay open
to everyone: they tell nothing but SERVING."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Final

import grpc
from pyzeebe.proto import gateway_pb2 as pb

from clients.gateway.authorization import ActivatedJobs, refusal
from clients.gateway.clients_file import Client
from clients.gateway.tokens import InvalidToken, Tokens
from clients.kafka_requests import SPEAKING_FOR

_GATEWAY: Final = "/gateway_protocol.Gateway/"
_BEARER: Final = "bearer "


class _Refused(Exception):
    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _RememberingContext:
    """The call's context, noting the type of every job written to the client."""

    def __init__(self, context: Any, jobs: ActivatedJobs) -> None:
        self._context = context
        self._jobs = jobs

    async def write(self, message: Any) -> None:
        batch = message.jobs if isinstance(message, pb.ActivateJobsResponse) else [message]
        for job in batch:
            self._jobs.handed_out(job.key, job.type)
        await self._context.write(message)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


class Authenticator(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens
        self.jobs = ActivatedJobs()

    def client_of(self, metadata: Any) -> Client:
        """The client a call's metadata authenticates; _Refused (UNAUTHENTICATED) if none."""
        values = [v for k, v in metadata or () if k == "authorization"]
        if not values:
            raise _Refused(
                grpc.StatusCode.UNAUTHENTICATED,
                "this gateway wants an access token: send 'authorization: Bearer <token>' "
                "(OAuth client credentials, docs/gateway.md)",
            )
        value = values[0] if isinstance(values[0], str) else values[0].decode()
        if not value.lower().startswith(_BEARER):
            raise _Refused(
                grpc.StatusCode.UNAUTHENTICATED, "the authorization is not a Bearer token"
            )
        try:
            return self.tokens.check(value[len(_BEARER) :].strip())
        except InvalidToken as e:
            raise _Refused(grpc.StatusCode.UNAUTHENTICATED, str(e)) from e

    def check(self, metadata: Any, method: str, request: Any) -> Client:
        client = self.client_of(metadata)
        why = refusal(client, method, request, self.jobs)
        if why is not None:
            raise _Refused(grpc.StatusCode.PERMISSION_DENIED, why)
        return client

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if handler is None or not details.method.startswith(_GATEWAY):
            return handler
        method = details.method[len(_GATEWAY) :]
        metadata = details.invocation_metadata
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                self._unary(handler.unary_unary, metadata, method),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                self._stream(handler.unary_stream, metadata, method),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler  # the Gateway service has no client-streaming calls

    def _unary(self, inner: Any, metadata: Any, method: str) -> Any:
        async def call(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            try:
                client = self.check(metadata, method, request)
            except _Refused as refused:
                await context.abort(refused.code, refused.message)
            # The commands of this call name the client: a gateway's signature carries it.
            speaking = SPEAKING_FOR.set(client.client_id)
            try:
                return await inner(request, context)
            finally:
                SPEAKING_FOR.reset(speaking)

        return call

    def _stream(self, inner: Any, metadata: Any, method: str) -> Any:
        async def call(
            request: Any, context: grpc.aio.ServicerContext[Any, Any]
        ) -> AsyncIterator[Any]:
            try:
                client = self.check(metadata, method, request)
            except _Refused as refused:
                await context.abort(refused.code, refused.message)
            speaking = SPEAKING_FOR.set(client.client_id)
            try:
                async for response in inner(request, _RememberingContext(context, self.jobs)):
                    yield response
            finally:
                # A stream closed from elsewhere ends in another context: nothing to reset.
                with contextlib.suppress(ValueError):
                    SPEAKING_FOR.reset(speaking)

        return call
