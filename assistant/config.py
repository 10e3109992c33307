"""All configuration in one place, read from ``GONGKAI_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = REPO_ROOT / "data" / "sample"
PROMPTS_DIR = REPO_ROOT / "prompts"

# Offline model loading: nothing may be downloaded at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


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
    )
