"""The gateway's OAuth 2.0 token endpoint (RFC 6749 §4.4, client credentials), as Camunda 8's
clients call their authorization server: `POST /oauth/token` with `grant_type=
client_credentials` and the client's id and secret in the form (pyzeebe, the Java client),
as HTTP Basic authentication (requests-oauthlib's default) or as a JSON body (zbctl, the Go
client). Served over HTTPS with the gateway's certificate (aiohttp)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import ssl
from typing import Any, Final

from aiohttp import web

from clients.gateway.tokens import Tokens

TOKEN_PATH: Final = "/oauth/token"  # noqa: S105 (a path, not a password)


def _error(status: int, error: str, description: str) -> web.Response:
    body = {"error": error, "error_description": description}
    return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})


async def _fields(request: web.Request) -> dict[str, str]:
    if request.content_type == "application/json":
        try:
            data: Any = json.loads(await request.text())
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    return {k: str(v) for k, v in (await request.post()).items()}


def _basic(request: web.Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


def token_app(tokens: Tokens) -> web.Application:
    async def token(request: web.Request) -> web.Response:
        fields = await _fields(request)
        if fields.get("grant_type") != "client_credentials":
            return _error(400, "unsupported_grant_type", "only client_credentials is granted")
        basic = _basic(request)
        client_id, secret = basic or (fields.get("client_id", ""), fields.get("client_secret", ""))
        loop = asyncio.get_running_loop()
        # Argon2 takes tens of milliseconds of CPU: not on the event loop.
        client = await loop.run_in_executor(None, tokens.clients.authenticate, client_id, secret)
        if client is None:
            return _error(401, "invalid_client", "unknown client id or wrong client secret")
        body = {
            "access_token": tokens.issue(client),
            "token_type": "Bearer",
            "expires_in": tokens.lifetime,
        }
        return web.json_response(body, headers={"Cache-Control": "no-store"})

    app = web.Application()
    app.router.add_post(TOKEN_PATH, token)
    return app


async def start_token_endpoint(
    tokens: Tokens, host: str, port: int, tls: ssl.SSLContext
) -> tuple[web.AppRunner, int]:
    """The started endpoint and its bound port; OSError if it cannot listen."""
    runner = web.AppRunner(token_app(tokens), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=tls)
    try:
        await site.start()
    except OSError:
        await runner.cleanup()
        raise
    server = site._server
    sockets = getattr(server, "sockets", None) or []
    return runner, sockets[0].getsockname()[1] if sockets else port
