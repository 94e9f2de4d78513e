"""A response's head and body leave in one write (gateway/one_write.py), through uvicorn's own protocol."""
from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from gateway.one_write import OneWriteTransport
from gateway.slow_clients import HeadDeadlineProtocol


class Recording:
    """The socket's transport, as OneWriteTransport sees it: every call that sends is recorded."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.sent: list[tuple[str, list[bytes]]] = []

    def write(self, data: bytes) -> None:
        self.sent.append(("write", [bytes(data)]))
        self.transport.write(data)

    def writelines(self, lines: Any) -> None:
        lines = [bytes(line) for line in lines]
        self.sent.append(("writelines", lines))
        self.transport.writelines(lines)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


async def _serve_and_ask(requests: list[bytes], expect: int) -> tuple[list[Recording], bytes]:
    """The serve CLI's protocol on a real uvicorn server; the raw bytes the client read."""
    recordings: list[Recording] = []

    class Recorded(HeadDeadlineProtocol):
        def connection_made(self, transport: Any) -> None:
            recordings.append(Recording(transport))
            super().connection_made(recordings[-1])

    async def hello(_request: Request) -> Response:
        return PlainTextResponse("x" * 3000)

    app = Starlette(routes=[Route("/hello", hello, methods=["GET", "HEAD"])])
    config = uvicorn.Config(app, host="127.0.0.1", port=0, http=Recorded, loop="asyncio", lifespan="off",
                            log_level="warning")
    server = uvicorn.Server(config)
    config.load()
    server.lifespan = config.lifespan_class(config)
    await server.startup()
    try:
        port = server.servers[0].sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for request in requests:
            writer.write(request)
        await writer.drain()
        got = b""
        while got.count(b"HTTP/1.1 ") < expect or not got.endswith((b"x", b"\r\n\r\n")):
            chunk = await asyncio.wait_for(reader.read(65536), 5)
            if not chunk:
                break
            got += chunk
        writer.close()
        return recordings, got
    finally:
        server.should_exit = True
        await server.shutdown()


def test_the_serve_protocol_sends_a_responses_head_and_body_in_one_write() -> None:
    get = b"GET /hello HTTP/1.1\r\nhost: t\r\n\r\n"
    recordings, got = asyncio.run(_serve_and_ask([get, get], expect=2))
    assert got.count(b"HTTP/1.1 200 OK") == 2 and got.count(b"x" * 3000) == 2
    [recording] = recordings
    # Two keep-alive responses: each is one writelines of its head and its body, and nothing else was written.
    assert [kind for kind, _ in recording.sent] == ["writelines", "writelines"]
    for _, (head, body) in recording.sent:
        assert head.startswith(b"HTTP/1.1 200 OK") and head.endswith(b"\r\n\r\n") and body == b"x" * 3000


def test_a_head_answer_with_no_body_write_still_leaves_at_the_end_of_the_loop_turn() -> None:
    recordings, got = asyncio.run(_serve_and_ask([b"HEAD /hello HTTP/1.1\r\nhost: t\r\n\r\n"], expect=1))
    assert got.startswith(b"HTTP/1.1 200 OK") and got.endswith(b"\r\n\r\n")
    assert b"x" not in got.split(b"\r\n\r\n", 1)[1]


class FakeTransport:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.calls.append(("write", data))

    def writelines(self, lines: Any) -> None:
        self.calls.append(("writelines", list(lines)))

    def close(self) -> None:
        self.calls.append(("close", None))
        self.closing = True

    def abort(self) -> None:
        self.calls.append(("abort", None))
        self.closing = True

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str) -> str:
        return f"extra {name}"


def test_a_lone_write_is_held_only_until_the_end_of_the_loop_turn() -> None:
    async def run() -> list[tuple[str, Any]]:
        fake = FakeTransport()
        transport = OneWriteTransport(fake, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        assert fake.calls == [] and transport.get_write_buffer_size() == 25
        await asyncio.sleep(0)
        return fake.calls
    assert asyncio.run(run()) == [("write", b"HTTP/1.1 100 Continue\r\n\r\n")]


def test_bytes_keep_their_order_and_closing_sends_what_is_held_while_aborting_drops_it() -> None:
    async def run() -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
        loop = asyncio.get_running_loop()
        fake, other = FakeTransport(), FakeTransport()
        transport = OneWriteTransport(fake, loop)  # type: ignore[arg-type]
        for piece in (b"1", b"2", b"3"):
            transport.write(piece)
        transport.close()
        aborted = OneWriteTransport(other, loop)  # type: ignore[arg-type]
        aborted.write(b"never")
        aborted.abort()
        await asyncio.sleep(0)  # the scheduled flushes find nothing left
        assert transport.get_extra_info("peername") == "extra peername"
        return fake.calls, other.calls
    sent, dropped = asyncio.run(run())
    assert sent == [("writelines", [b"1", b"2"]), ("write", b"3"), ("close", None)]
    assert dropped == [("abort", None)]


def test_a_held_buffer_is_a_copy_its_writer_may_reuse() -> None:
    async def run() -> list[tuple[str, Any]]:
        fake = FakeTransport()
        transport = OneWriteTransport(fake, asyncio.get_running_loop())  # type: ignore[arg-type]
        buffer = bytearray(b"head")
        transport.write(buffer)
        buffer[:] = b"next"  # the writer reuses its buffer for its next message once write() has returned
        transport.write(b"body")
        return fake.calls
    assert asyncio.run(run()) == [("writelines", [b"head", b"body"])]
