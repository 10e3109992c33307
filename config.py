"""All configuration in one place, read from ``GONGKAI_*`` environment variables."""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent
SAMPLE_DIR = REPO_ROOT / "data" / "sample"
PROMPTS_DIR = REPO_ROOT / "prompts"

# Offline model loading: nothing may be downloaded at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

# llama.cpp's OpenAI-compatible server on 2 threads with a RAM cache for the shared prompt prefix.
DEFAULT_LLM_SERVER_CMD = (
    f"{shlex.quote(sys.executable)} -m llama_cpp.server --model {{model}} --host 127.0.0.1 --port {{port}} "
    "--n_threads 2 --n_ctx 2048 --n_batch 256 --cache true --cache_size 268435456 "
    "--model_alias local --verbose false"
)


@dataclass(frozen=True)
class Tuning:
    """Answering knobs an evaluation may vary (``dataclasses.replace(settings, tuning=…)``)."""

    rrf_k: int = 60  # reciprocal rank fusion: score = Σ weight / (rrf_k + rank)
    fusion_depth: int = 30  # depth of each ranked list that goes into the fusion
    # BM25 counts double: on the retrieval question set dense vectors rank table and task rows
    # poorly, and weights picked on either half of the set (2-fold) beat equal weights on the
    # other half for every bundled embedder (README_retrieval.md).
    keyword_weight: float = 1.0
    dense_weight: float = 0.5
    rerank_depth: int = 20  # hits a cross-encoder re-scores
    passages: int = 6  # passages a retrieval answer reads
    issuer_depth: int = 24  # hits searched when a department is named (its passages only kept)


DEFAULT_TUNING = Tuning()


@dataclass(frozen=True)
class Settings:
    home: Path
    embed: str
    llm: str
    chroma_url: str
    reranker: str
    host: str
    port: int
    auth: str
    max_file_mb: int
    max_pdf_pages: int
    openai_base_url: str
    openai_model: str
    openai_api_key: str
    api_token: str = ""  # Bearer token for /api and /v1 (besides the GONGKAI_AUTH login)
    allowed_hosts: tuple[str, ...] = ()  # Host header names the app answers to (besides its own)
    allow_open: bool = False  # serve a non-loopback address without GONGKAI_AUTH (explicitly)
    ingest_seconds: float = 300.0  # a file whose parsing takes longer is abandoned
    # OCR of image files and of pictures in docx/HTML: pages (images, frames) read per file,
    # seconds spent per file (below ingest_seconds, so what was read in time is kept), and the
    # pixels one image may have (a small file that decompresses to a huge raster is refused).
    max_ocr_pages: int = 100
    ocr_seconds: float = 240.0
    max_image_pixels: int = 50_000_000
    # The local model's server process: {model} and {port} are filled in by the supervisor.
    llm_server_cmd: str = DEFAULT_LLM_SERVER_CMD
    llm_queue: int = 8  # questions waiting for the model at most (one generates at a time)
    llm_timeout: float = 120.0  # seconds per generation, queueing included
    llm_self_test: bool = True
    llm_backoff: tuple[float, ...] = (1.0, 4.0, 15.0)  # restart delays after crash 1, 2, …
    llm_max_crashes: int = 3  # crashes in a row before the model is disabled until restart
    # Folders (besides the sample corpus and uploads) whose PDFs the cell view may render.
    corpus_dirs: tuple[Path, ...] = ()
    tuning: Tuning = DEFAULT_TUNING

    @property
    def db_path(self) -> Path:
        return self.home / "gongkai.sqlite3"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def bm25_dir(self) -> Path:
        return self.home / "bm25"

    @property
    def upload_dir(self) -> Path:
        return self.home / "uploads"


def load_settings() -> Settings:
    """Read the settings from the environment (call again after changing it)."""
    env = os.environ.get
    return Settings(
        home=Path(env("GONGKAI_HOME", "var")).resolve(),
        embed=env("GONGKAI_EMBED", "use"),
        llm=env("GONGKAI_LLM", "auto"),
        chroma_url=env("GONGKAI_CHROMA_URL", ""),
        reranker=env("GONGKAI_RERANKER", ""),
        host=env("GONGKAI_HOST", "127.0.0.1"),
        port=int(env("GONGKAI_PORT", "7860")),
        auth=env("GONGKAI_AUTH", ""),
        max_file_mb=int(env("GONGKAI_MAX_FILE_MB", "20")),
        max_pdf_pages=int(env("GONGKAI_MAX_PDF_PAGES", "300")),
        openai_base_url=env("GONGKAI_OPENAI_BASE_URL", ""),
        openai_model=env("GONGKAI_OPENAI_MODEL", ""),
        openai_api_key=env("GONGKAI_OPENAI_API_KEY", "none"),
        api_token=env("GONGKAI_API_TOKEN", ""),
        allowed_hosts=tuple(
            h.strip() for h in env("GONGKAI_ALLOWED_HOSTS", "").split(",") if h.strip()
        ),
        allow_open=env("GONGKAI_ALLOW_OPEN", "0") in ("1", "true", "yes"),
        ingest_seconds=float(env("GONGKAI_INGEST_SECONDS", "300")),
        max_ocr_pages=int(env("GONGKAI_MAX_OCR_PAGES", "100")),
        ocr_seconds=float(env("GONGKAI_OCR_SECONDS", "240")),
        max_image_pixels=int(env("GONGKAI_MAX_IMAGE_PIXELS", "50000000")),
        llm_server_cmd=env("GONGKAI_LLM_SERVER_CMD", DEFAULT_LLM_SERVER_CMD),
        llm_queue=int(env("GONGKAI_LLM_QUEUE", "8")),
        llm_timeout=float(env("GONGKAI_LLM_TIMEOUT", "120")),
        llm_self_test=env("GONGKAI_LLM_SELF_TEST", "1") not in ("0", "false", "no"),
        llm_backoff=tuple(float(x) for x in env("GONGKAI_LLM_BACKOFF", "1,4,15").split(",")),
        llm_max_crashes=int(env("GONGKAI_LLM_MAX_CRASHES", "3")),
        corpus_dirs=tuple(
            Path(p).resolve() for p in env("GONGKAI_CORPUS_DIRS", "").split(os.pathsep) if p
        ),
    )
