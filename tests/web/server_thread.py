"""Runs the web app on a free loopback port in a thread of its own, for tests that talk to
it over HTTP (urllib) or drive it with a browser."""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web


@contextmanager
def serving(app: web.Application, ssl_context: ssl.SSLContext | None = None) -> Iterator[str]:
    """Yields the base URL (`http://127.0.0.1:PORT`, https with `ssl_context`); stops the
    server and its cleanup on exit."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    started = threading.Event()
    base: list[str] = []

    async def start() -> None:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await site.start()
        host, port = runner.addresses[0][:2]
        base.append(f"{'https' if ssl_context else 'http'}://{host}:{port}")

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="honeyflow-web-test", daemon=True)
    thread.start()
    started.wait(30)
    try:
        yield base[0]
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()
