"""A zygote for crash tests: imports the gateway once, then forks a fresh `invoice-gateway serve`
for every line "serve" on stdin, printing the child's pid.

Why: starting the console script costs ~1.7 s of CPU in imports, and the crash test restarts the
server 30 times. A forked child runs the very same CLI command (click, uvicorn, the app factory,
the database) in its own process, so a SIGKILL to it is as real a crash as one to a process
started from scratch; only the imports are shared, and nothing else is created before the fork.

Run as: python -m tests.resilience.forkserver HOST PORT DATABASE_URL   (environment as for serve)
"""
from __future__ import annotations

import os
import sys

# Everything `serve` imports, but nothing that creates an engine, a thread or a socket.
import uvicorn  # noqa: F401

import gateway.app  # noqa: F401
import gateway.cli
import gateway.logs  # noqa: F401
import gateway.slow_clients  # noqa: F401


def _reap() -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def main() -> None:
    host, port, database_url = sys.argv[1:4]
    for line in sys.stdin:
        _reap()
        if line.strip() != "serve":
            continue
        pid = os.fork()
        if pid == 0:
            sys.stdin.close()
            sys.argv = ["invoice-gateway", "serve", "--host", host, "--port", port, "--database-url", database_url]
            try:
                gateway.cli.main()
            finally:
                os._exit(0)
        print(pid, flush=True)


if __name__ == "__main__":
    main()
