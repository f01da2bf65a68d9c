"""The session's cheaper idle-connection check answers exactly as httpcore's own.

httpcore asks every idle pooled connection whether its socket is readable (a server that
closed it) before placing each request; :mod:`ocitui.core.registry.session` caches the
socket behind that question. These tests hold the answers to the original meaning.
"""

from __future__ import annotations

import asyncio

import httpcore
from httpcore._backends.anyio import AnyIOStream

import ocitui.core.registry.session  # noqa: F401  (installs the check)


def test_the_cached_check_is_installed() -> None:
    assert getattr(AnyIOStream.get_extra_info, "ocitui_cached", False)


def test_readable_only_when_the_server_spoke_or_closed() -> None:
    async def scenario() -> list[bool]:
        speak = asyncio.Event()
        done = asyncio.Event()

        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await speak.wait()
            writer.write(b"x")
            await writer.drain()
            await done.wait()
            writer.close()

        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        stream = await httpcore.AnyIOBackend().connect_tcp("127.0.0.1", port)
        answers = [bool(stream.get_extra_info("is_readable"))]  # Idle: not readable.
        speak.set()
        for _ in range(200):  # The byte arrives within a few event-loop turns.
            if stream.get_extra_info("is_readable"):
                break
            await asyncio.sleep(0.01)
        answers.append(bool(stream.get_extra_info("is_readable")))
        assert await stream.read(10) == b"x"
        answers.append(bool(stream.get_extra_info("is_readable")))  # Drained again.
        done.set()  # The server closes its end: the next read would return b"".
        for _ in range(200):
            if stream.get_extra_info("is_readable"):
                break
            await asyncio.sleep(0.01)
        answers.append(bool(stream.get_extra_info("is_readable")))
        await stream.aclose()
        answers.append(bool(stream.get_extra_info("is_readable")))  # Closed: readable.
        assert stream.get_extra_info("socket") is not None  # Other keys still answered.
        server.close()
        await server.wait_closed()
        return answers

    assert asyncio.run(scenario()) == [False, True, False, True, True]
