"""Real components for tests: PostgreSQL, an SMTP sink, headless Chromium and the CLI-run server.

The pytest fixtures live in ``tests.support.fixtures``; the root conftest loads them with
``pytest_plugins = ["tests.support.fixtures"]``.
"""

import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now.

    Binding to port 0 lets the kernel choose, so parallel pytest-xdist workers never pick
    the same port on purpose; the short window before the caller binds it is accepted.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
