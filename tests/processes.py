"""Real processes for tests: the ``ecomrisk`` command and a running ``ecomrisk serve``."""

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import httpx

ECOMRISK = str(Path(sys.executable).with_name("ecomrisk"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def run(env: dict[str, str], *args: str, timeout: float = 60) -> str:
    """Run ``ecomrisk ARGS``; a non-zero exit fails with its output."""
    done = subprocess.run(
        [ECOMRISK, *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise AssertionError(f"ecomrisk {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done.stdout


def start_server(
    env: dict[str, str], port: int, stderr: IO[Any] | int = subprocess.DEVNULL
) -> subprocess.Popen[bytes]:
    """``ecomrisk serve`` on 127.0.0.1:port, once it answers."""
    server = subprocess.Popen(
        [ECOMRISK, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    for _ in range(300):  # up to 30 s to come up
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("server did not start")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def fails(env: dict[str, str], *args: str, timeout: float = 60) -> str:
    """Run ``ecomrisk ARGS`` expecting a clean refusal: exit 1, a message, no traceback.
    Returns the message on one line."""
    done = subprocess.run(
        [ECOMRISK, *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    return " ".join(done.stderr.split())
