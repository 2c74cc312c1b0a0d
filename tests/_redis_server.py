"""A private redis-server for one test: started in a temp dir on a unix socket, stopped after.

Never a shared instance: each test that needs Redis gets its own server (Debian's
``redis-server``, installed by ``.ci/run``), with persistence off, which it may kill and
start again on the same socket.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisServer:
    """One redis-server process, listening on a unix socket (and on ``port``, if given)."""

    def __init__(self, directory: Path, port: int = 0) -> None:
        self.directory = directory
        self.socket = directory / "redis.sock"
        self.port = port
        self._stack: contextlib.ExitStack | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    @property
    def tcp_url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start (or start again) and wait until the server answers PING."""
        assert self._process is None, "already running"
        command = [
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--unixsocket",
            str(self.socket),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.directory),
            "--loglevel",
            "warning",
        ]
        self._stack = contextlib.ExitStack()
        self._process = self._stack.enter_context(
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
        deadline = time.monotonic() + 10
        while not self._answers():
            if self._process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self._process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not answer within 10 s")
            time.sleep(0.01)

    def kill(self) -> None:
        """Stop the server at once (SIGKILL): its data is gone, as after a crash."""
        process, stack = self._process, self._stack
        self._process = self._stack = None
        if process is not None and stack is not None:
            process.send_signal(signal.SIGCONT)  # a frozen one too
            process.kill()
            stack.close()  # waits for it
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()

    def freeze(self) -> None:
        """Stop the process without closing anything (SIGSTOP): it takes connections and
        commands and answers none, as a hung server or a dead network path would."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def _answers(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(1)
                conn.connect(str(self.socket))
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def running_redis(port: int = 0) -> Iterator[RedisServer]:
    """A private server in a short temp dir (a unix socket path must stay under 108 bytes)."""
    directory = Path(tempfile.mkdtemp(prefix="gs-redis-"))
    server = RedisServer(directory, port)
    try:
        server.start()
        yield server
    finally:
        server.kill()
        shutil.rmtree(directory, ignore_errors=True)
