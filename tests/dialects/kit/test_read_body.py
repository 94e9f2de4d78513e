"""dialects.kit.http.read_body: a body read under the loop's one deadline watch, and the watch's cancellations
told from anyone else's (the trickling client against a real server is in tests/gateway/test_caps.py)."""
from __future__ import annotations

import asyncio
import gc
import weakref
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.requests import ClientDisconnect, Request

from dialects.kit import http
from dialects.kit.http import BodyTimeout, BodyTooLarge, read_body


def request_of(messages: list[dict[str, Any]], *, timeout: float = 5.0, limit: int = 1000,
               forever: asyncio.Event | None = None) -> Request:
    """A request whose receive() hands out `messages`, then waits on `forever` (a client that sends no more)."""
    settings = SimpleNamespace(max_body_bytes=limit, body_timeout=timeout)
    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"transfer-encoding", b"chunked")],
             "query_string": b"",
             "app": SimpleNamespace(state=SimpleNamespace(settings=settings))}
    queue = list(messages)
    never = forever or asyncio.Event()

    async def receive() -> dict[str, Any]:
        if queue:
            return queue.pop(0)
        await never.wait()
        raise AssertionError("the client never sends more")
    return Request(scope, receive)


def watch_of_running_loop() -> http._Deadlines:
    return http._WATCHES[asyncio.get_running_loop()]


def test_a_body_in_several_messages_is_read_whole_and_kept_for_later_reads() -> None:
    async def scenario() -> None:
        request = request_of([{"type": "http.request", "body": b"r=log", "more_body": True},
                              {"type": "http.request", "body": b"in&q={}", "more_body": False}])
        assert await read_body(request) == b"r=login&q={}"
        assert await read_body(request) == b"r=login&q={}"  # kept, receive() not asked again
        assert [chunk async for chunk in request.stream()] == [b"r=login&q={}", b""]
        watch = watch_of_running_loop()
        assert watch.reading == {} and watch.cut_off == {}  # nothing left watched
    asyncio.run(scenario())


def test_a_body_over_the_limit_and_a_disconnect_are_refused() -> None:
    async def scenario() -> None:
        with pytest.raises(BodyTooLarge):
            await read_body(request_of([{"type": "http.request", "body": b"x" * 600, "more_body": True},
                                        {"type": "http.request", "body": b"x" * 600}]))
        with pytest.raises(ClientDisconnect):
            await read_body(request_of([{"type": "http.request", "body": b"x", "more_body": True},
                                        {"type": "http.disconnect"}]))
        assert watch_of_running_loop().reading == {}
    asyncio.run(scenario())


def test_a_body_that_never_completes_times_out_within_a_tick_of_its_deadline() -> None:
    async def scenario() -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(BodyTimeout) as refused:
            await read_body(request_of([{"type": "http.request", "body": b"r=", "more_body": True}], timeout=0.4))
        assert refused.value.status == 408
        task = asyncio.current_task()
        assert task is not None and task.cancelling() == 0  # the watch's own cancellation taken back
        watch = watch_of_running_loop()
        assert watch.reading == {} and watch.cut_off == {}
        await asyncio.sleep(0)  # the task goes on normally after its 408
        return loop.time() - started
    elapsed = asyncio.run(scenario())
    assert 0.4 <= elapsed < 0.4 + 0.1 + 0.3, elapsed  # the deadline, at most one tick (0.1 s) late, and slack


def test_only_the_slow_body_is_cut_off_when_others_read_at_the_same_time() -> None:
    async def scenario() -> list[Any]:
        slow = read_body(request_of([{"type": "http.request", "body": b"r=", "more_body": True}], timeout=0.3))
        arrives = asyncio.Event()

        async def prompt() -> bytes:
            request = request_of([{"type": "http.request", "body": b"r=", "more_body": True}], timeout=0.3,
                                 forever=arrives)
            return await read_body(request)

        async def deliver() -> None:
            await asyncio.sleep(0.1)
            arrives.set()
        return await asyncio.gather(slow, prompt(), deliver(), return_exceptions=True)
    slow, prompt, _ = asyncio.run(scenario())
    assert isinstance(slow, BodyTimeout)
    # The prompt request's client was woken, but its fake receive() then fails: that failure, not a timeout.
    assert isinstance(prompt, AssertionError), prompt


def test_a_cancellation_from_elsewhere_stays_a_cancellation() -> None:
    async def scenario() -> None:
        reading = asyncio.ensure_future(read_body(request_of([], timeout=5.0)))
        await asyncio.sleep(0.05)
        reading.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reading
        assert watch_of_running_loop().reading == {}
    asyncio.run(scenario())


def test_a_cancellation_from_elsewhere_at_the_deadline_is_not_taken_for_a_timeout() -> None:
    async def scenario() -> None:
        task = asyncio.ensure_future(read_body(request_of([], timeout=0.2)))
        await asyncio.sleep(0.01)
        watch = watch_of_running_loop()
        # The sweep and a server shutting down cancel the same read in the same loop iteration.
        watch.reading[task] = (0.0, task.cancelling())
        watch._sweep(asyncio.get_running_loop(), 0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert watch.reading == {} and watch.cut_off == {}
    asyncio.run(scenario())


def test_the_watch_does_not_keep_its_event_loop_alive() -> None:
    async def scenario() -> None:
        await read_body(request_of([{"type": "http.request", "body": b"x"}]))
    loop = asyncio.new_event_loop()
    loop.run_until_complete(scenario())
    assert loop in http._WATCHES
    gone = weakref.ref(loop)
    loop.close()
    del loop
    gc.collect()
    assert gone() is None


@pytest.mark.parametrize("headers", [[], [(b"content-length", b"0")]])
def test_an_http1_request_that_declares_no_body_is_read_as_empty_without_asking_the_client(
        headers: list[tuple[bytes, bytes]]) -> None:
    async def scenario() -> None:
        async def receive() -> dict[str, Any]:
            raise AssertionError("receive() asked for a body the request does not have")
        settings = SimpleNamespace(max_body_bytes=1000, body_timeout=5.0)
        request = Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "query_string": b"",
                           "http_version": "1.1", "app": SimpleNamespace(state=SimpleNamespace(settings=settings))},
                          receive)
        assert await read_body(request) == b""
        assert await request.body() == b""  # kept for Starlette's own readers too
    asyncio.run(scenario())


def test_an_http2_request_without_a_length_still_reads_its_data_frames() -> None:
    async def scenario() -> None:
        request = request_of([{"type": "http.request", "body": b"q=1", "more_body": False}])
        request.scope["headers"] = []
        request.scope["http_version"] = "2"
        assert await read_body(request) == b"q=1"
    asyncio.run(scenario())
