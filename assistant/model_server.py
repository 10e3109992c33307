"""Model endpoints: a supervised local model server process, or a remote OpenAI-compatible URL.

The local GGUF runs in its own process (``python -m llama_cpp.server`` on 127.0.0.1, a free
port), so an illegal instruction, an OOM kill or any other crash of llama.cpp takes down that
process only. The supervisor restarts it with back-off and, after repeated crashes (or a failed
self-test), marks the model unavailable until gongkai restarts. Both kinds of endpoint let one
generation run at a time; further requests wait in a bounded queue, can be cancelled, and see
their position.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import ctypes
import json
import logging
import shlex
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

log = logging.getLogger("gongkai.model")

SELF_TEST_PROMPT = "只回答一个阿拉伯数字：1加1等于几？"
SELF_TEST_EXPECT = "2"


class ModelUnavailable(RuntimeError):
    """The model cannot answer now (not installed, crashed, disabled, queue full)."""


class GenerationCancelled(RuntimeError):
    """The question was cancelled (a new question, a closed tab): its generation stops."""


@dataclass
class RequestControl:
    """What the caller of one answer lends to the model call: cancel flag and queue reports."""

    cancel: threading.Event = field(default_factory=threading.Event)
    on_wait: Callable[[int], None] | None = None  # questions ahead of this one (0 = running)


_control: contextvars.ContextVar[RequestControl | None] = contextvars.ContextVar(
    "gongkai_request_control", default=None
)


def set_request_control(control: RequestControl | None) -> None:
    """Attach ``control`` to the answers computed in this thread (and contexts copied from it)."""
    _control.set(control)


def request_control() -> RequestControl:
    return _control.get() or RequestControl()


class Gate:
    """One generation at a time; at most ``size`` requests waiting, first come first served."""

    def __init__(self, size: int):
        self.size = size
        self._cond = threading.Condition()
        self._busy = False
        self._waiting: list[object] = []

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @contextmanager
    def slot(self, control: RequestControl, timeout: float) -> Iterator[None]:
        ticket = object()
        deadline = time.monotonic() + timeout
        with self._cond:
            if self._busy and len(self._waiting) >= self.size:
                raise ModelUnavailable(f"模型排队已满（{self.size} 个问题在等待）")
            self._waiting.append(ticket)
            reported = -1
            while self._busy or self._waiting[0] is not ticket:
                ahead = self._waiting.index(ticket) + int(self._busy)
                if ahead != reported and control.on_wait:
                    control.on_wait(ahead)
                reported = ahead
                if control.cancel.is_set() or time.monotonic() > deadline:
                    self._waiting.remove(ticket)
                    self._cond.notify_all()
                    if control.cancel.is_set():
                        raise GenerationCancelled("问题已取消")
                    raise ModelUnavailable(f"排队超过 {timeout:.0f} 秒")
                self._cond.wait(0.2)
            self._waiting.pop(0)
            self._busy = True
        if reported > 0 and control.on_wait:
            control.on_wait(0)
        try:
            yield
        finally:
            with self._cond:
                self._busy = False
                self._cond.notify_all()


class Endpoint:
    """A remote OpenAI-compatible server: always 'ready'; failures are reported per request."""

    kind = "remote"
    note = "模型服务不可用，已改用原文摘录"

    def __init__(self, base_url: str, queue_size: int = 8):
        self._base_url = base_url
        self.gate = Gate(queue_size)

    def base_url(self, timeout: float) -> str:
        return self._base_url

    def request_failed(self, exc: BaseException) -> str:
        """Why a request failed (the endpoint's view), for the note shown with the answer."""
        return f"{type(exc).__name__}"

    def generation_ok(self) -> None:
        """A generation finished normally."""

    def status(self) -> dict:
        return {"backend": "openai", "state": "ready", "reason": "", "queue": self.gate.waiting}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def exit_reason(code: int | None) -> str:
    """``-4`` → 'SIGILL', ``-9`` → 'SIGKILL', ``1`` → '退出码 1'."""
    if code is None:
        return "仍在运行"
    if code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"信号 {-code}"
    return f"退出码 {code}"


def _die_with_parent() -> None:
    """In the child: get SIGTERM when gongkai dies, so no model process outlives it (Linux)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class ModelProcess(Endpoint):
    """A supervised local model server process (``command`` holds ``{port}``).

    States: starting → ready; on a crash: restarting (after a back-off) → ready, or
    unavailable once ``max_crashes`` crashes came without a good generation between them, or
    when the self-test fails. ``stop()`` ends it for good.
    """

    kind = "local"
    note = "本地模型不可用，已改用原文摘录"

    def __init__(
        self,
        command: Sequence[str],
        *,
        queue_size: int = 8,
        start_timeout: float = 180.0,
        backoff: Sequence[float] = (1.0, 4.0, 15.0),
        max_crashes: int = 3,
        self_test: bool = True,
        name: str = "local",
    ):
        super().__init__("", queue_size)
        self.command = list(command)
        self.start_timeout = start_timeout
        self.backoff = list(backoff) or [1.0]
        self.max_crashes = max_crashes
        self.self_test = self_test
        self.name = name
        self.state = "starting"
        self.reason = ""
        self.crashes = 0
        self.restarts = 0
        self.self_test_result = "pending" if self_test else "skipped"
        self.proc: subprocess.Popen | None = None
        self._ready = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._supervise, name="gongkai-model", daemon=True)
        self._thread.start()
        atexit.register(self.stop)

    # -- the supervisor thread ------------------------------------------------------------
    def _supervise(self) -> None:
        while not self._stopped and self.state != "unavailable":
            port = free_port()
            argv = [a.replace("{port}", str(port)) for a in self.command]
            try:
                proc = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    preexec_fn=_die_with_parent,
                )
            except OSError as exc:
                self._set("unavailable", f"无法启动模型进程：{exc}")
                return
            self.proc = proc
            ready = self._wait_ready(proc, f"http://127.0.0.1:{port}/v1")
            if ready and self.self_test_result == "pending":
                threading.Thread(target=self._run_self_test, daemon=True).start()
            code = proc.wait()
            if self._stopped or self.state == "unavailable":
                return
            self.crashes += 1
            why = f"模型进程异常退出（{exit_reason(code)}）"
            log.warning("%s，第 %d 次", why, self.crashes)
            if self.crashes >= self.max_crashes:
                self._set("unavailable", f"{why}，已连续 {self.crashes} 次，停用至重启")
                return
            self._set("restarting", why)
            time.sleep(self.backoff[min(self.crashes, len(self.backoff)) - 1])
            self.restarts += 1

    def _wait_ready(self, proc: subprocess.Popen, base: str) -> bool:
        deadline = time.monotonic() + self.start_timeout
        while proc.poll() is None and not self._stopped:
            try:
                with urllib.request.urlopen(f"{base}/models", timeout=2):
                    pass
                self._base_url = base
                self._set("ready", "")
                return True
            except OSError:
                if time.monotonic() > deadline:
                    log.warning("模型进程 %.0f 秒内未就绪，结束它", self.start_timeout)
                    proc.kill()
                    return False
                time.sleep(0.25)
        return False

    def _run_self_test(self) -> None:
        """One short generation; a crash or a reply without the expected answer disables it."""
        try:
            reply = self.complete(SELF_TEST_PROMPT, max_tokens=8, timeout=120)
        except Exception as exc:  # any failure of the model process is a failed self-test
            self._disable(f"自检失败：{self.request_failed(exc)}")
            return
        if SELF_TEST_EXPECT not in reply or len(reply) > 40:
            self._disable(f"自检失败：回答异常（{reply[:40]!r}）")
            return
        self.self_test_result = "passed"
        log.info("本地模型自检通过")

    def complete(self, prompt: str, max_tokens: int, timeout: float) -> str:
        """A plain (non-streaming) chat completion through the queue, for the self-test."""
        with self.gate.slot(RequestControl(), timeout):
            body = {
                "messages": [{"role": "user", "content": prompt}],
                "max_tokens": max_tokens,
                "temperature": 0,
            }
            request = urllib.request.Request(
                f"{self.base_url(timeout)}/chat/completions",
                data=json.dumps(body).encode(),
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data = json.load(response)
        return str(data["choices"][0]["message"]["content"] or "").strip()

    def _disable(self, reason: str) -> None:
        self.self_test_result = "failed"
        log.error("本地模型已停用：%s", reason)
        self._set("unavailable", reason)
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()

    def _set(self, state: str, reason: str) -> None:
        with self._ready:
            if self.state == "unavailable" and state != "unavailable":
                return  # unavailable stays until gongkai restarts
            self.state, self.reason = state, reason
            self._ready.notify_all()

    # -- what requests use ----------------------------------------------------------------
    def base_url(self, timeout: float) -> str:
        """The server's URL once ready (waits through a start or restart), else unavailable."""
        deadline = time.monotonic() + timeout
        with self._ready:
            while self.state in ("starting", "restarting"):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ModelUnavailable(f"模型进程未就绪（{self.reason or '启动中'}）")
                self._ready.wait(min(left, 0.5))
            if self.state != "ready":
                raise ModelUnavailable(self.reason or "本地模型已停用")
            return self._base_url

    def request_failed(self, exc: BaseException) -> str:
        """After a failed request: the process's exit (it was the cause) or the error's name."""
        proc = self.proc
        if proc is not None:
            try:
                code = proc.wait(timeout=2)
                return f"模型进程异常退出（{exit_reason(code)}）"
            except subprocess.TimeoutExpired:
                pass
        return self.reason or type(exc).__name__

    def generation_ok(self) -> None:
        self.crashes = 0

    def status(self) -> dict:
        return {
            "backend": "local",
            "state": self.state,
            "reason": self.reason,
            "self_test": self.self_test_result,
            "crashes": self.crashes,
            "restarts": self.restarts,
            "queue": self.gate.waiting,
            "pid": self.proc.pid if self.proc is not None and self.proc.poll() is None else None,
        }

    def stop(self) -> None:
        self._stopped = True
        self._set("unavailable", "已停止")
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def server_command(template: str, model_path: str) -> list[str]:
    """The model server's argv from a shell-like template with ``{port}`` and ``{model}``."""
    return [a.replace("{model}", model_path) for a in shlex.split(template)]
