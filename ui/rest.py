"""The HTTP API for other systems: ``/api/*`` (REST) and ``/v1/*`` (OpenAI-compatible).

Both answer through the same ``Assistant.answer`` as the page and return the answer contract of
DESIGN.md. Errors are JSON ``{"error", "detail"}``; access is the page's login (cookie or HTTP
Basic with ``GONGKAI_AUTH``) or ``Authorization: Bearer $GONGKAI_API_TOKEN``.
"""

from __future__ import annotations

import json
import secrets
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, File, HTTPException, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.api import MAX_QUESTION_CHARS
from assistant.llm import ModelUnavailable
from ui.chat import Answering, Draft, stream_answer
from ui.library import delete_document, ingest_uploads

if TYPE_CHECKING:
    from assistant.answer import Answer
    from assistant.api import Filters
    from assistant.turn import History
    from ui.context import AppContext

MAX_HISTORY_TURNS = 20
MAX_JSON_BYTES = 256 * 1024
MODEL_ID = "gongkai"
ERROR_NAMES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    500: "server_error",
}
Backend = Literal["auto", "none", "local", "openai"]


class Filters(BaseModel):
    region: str | None = Field(None, max_length=40, description="只在该地区的文档中检索")
    year: int | None = Field(None, ge=1990, le=2100)
    kind: Literal["annual_report", "work_points"] | None = None


class AskRequest(BaseModel):
    question: str = Field(..., min_length=1, max_length=MAX_QUESTION_CHARS)
    history: list[dict[str, Any]] = Field(
        default_factory=list,
        max_length=MAX_HISTORY_TURNS,
        description="之前各轮的回答对象（/api/ask 的返回值），最早的在前",
    )
    filters: Filters | None = None
    llm: Backend | None = Field(None, description="生成方式；默认用服务器配置")
    stream: bool = Field(
        False, description="true：以 server-sent events 返回草稿、模型词元、最终回答"
    )


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(..., min_length=1, max_length=2 * MAX_HISTORY_TURNS + 2)
    stream: bool = False
    temperature: float | None = None
    max_tokens: int | None = None


class ApiError(HTTPException):
    """An error answered as ``{"error": name, "detail": text}`` with its status code."""


def error_response(status: int, detail: object) -> JSONResponse:
    return JSONResponse(
        {"error": ERROR_NAMES.get(status, "error"), "detail": detail}, status_code=status
    )


def answer_object(answer: Answer) -> dict[str, Any]:
    """The answer contract plus how it was made (``mode``) and the cells used."""
    data = answer.to_json()
    data.update(mode=answer.mode, cells=answer.cells)
    return data


def bearer_ok(header: str, token: str) -> bool:
    """Whether an ``Authorization: Bearer …`` header carries ``token`` (compared as bytes)."""
    scheme, _, given = header.partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return secrets.compare_digest(given.strip().encode(), token.encode())


def message_text(message: ChatMessage) -> str:
    """The text of a chat message (string content, or the text parts of a content list)."""
    if isinstance(message.content, str):
        return message.content
    parts = message.content or []
    return "".join(str(p.get("text", "")) for p in parts if p.get("type") == "text")


def chat_turns(messages: Sequence[ChatMessage]) -> tuple[str, list[dict[str, str]]]:
    """The question (last user message) and the earlier user questions as history turns."""
    users = [message_text(m).strip() for m in messages if m.role == "user"]
    users = [u for u in users if u]
    if not users:
        raise ApiError(422, "messages 中没有用户提问")
    question = users[-1]
    if len(question) > MAX_QUESTION_CHARS:
        raise ApiError(422, f"问题过长（{len(question)} 字，上限 {MAX_QUESTION_CHARS} 字）")
    return question, [{"question": q} for q in users[:-1]]


def reply_text(answer: Answer, base_url: str) -> str:
    """The answer with its numbered sources and their stable /source links, as chat text."""
    lines = [answer.answer]
    if answer.citations:
        lines.append("")
        lines.append("来源：")
        for c in answer.citations:
            link = f"{base_url}/source/{c.doc_id}?start={c.start}&end={c.end}"
            lines.append(f"[{c.n}] 《{c.title}》 {link}")
    return "\n".join(lines)


def sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def api_router(
    ctx: AppContext, authorized: Callable[[Request], bool], api_token: str = ""
) -> APIRouter:
    """Routes of the API; ``ctx`` is the app's context (store, assistant, indexes, settings)."""

    def require_login(request: Request) -> None:
        if bearer_ok(request.headers.get("authorization", ""), api_token):
            return
        if not authorized(request):
            raise ApiError(401, "需要登录（GONGKAI_AUTH 的用户名密码，或 Bearer 令牌）")

    router = APIRouter(dependencies=[Depends(require_login)])

    def ask_stream(
        question: str, history: History, filters: Filters, llm: str | None
    ) -> Iterator[str]:
        """Server-sent events: ``draft`` (verified extract), ``token``…, then ``answer``."""
        assistant = ctx.assistant if not llm else _assistant_for(ctx, llm)
        for item in stream_answer(assistant, question, history, filters):
            if isinstance(item, Draft):
                yield sse("draft", answer_object(item.answer))
            elif isinstance(item, str):
                yield sse("token", {"text": item})
            else:
                yield sse("answer", answer_object(item))

    @router.post("/api/ask", tags=["answer"], summary="提问（回答对象或 SSE 流）")
    def ask(body: AskRequest) -> Any:
        filters = body.filters.model_dump(exclude_none=True) if body.filters else {}
        if body.stream:
            events = ask_stream(body.question, body.history, filters, body.llm)
            return StreamingResponse(events, media_type="text/event-stream")
        result = ctx.assistant.answer(body.question, body.history, llm=body.llm, filters=filters)
        return answer_object(result)

    @router.get("/api/documents", tags=["documents"], summary="文档列表（标签与警告）")
    def documents() -> list[dict[str, Any]]:
        return [d.to_dict() for d in ctx.store.documents()]

    @router.get("/api/documents/{doc_id}", tags=["documents"], summary="一份文档")
    def document(doc_id: str, text: bool = False) -> dict[str, Any]:
        doc = ctx.store.document(doc_id)
        if doc is None:
            raise ApiError(404, f"资料库中没有文档 {doc_id}")
        data = doc.to_dict(with_text=text)
        data["chunks"] = [
            {"chunk_id": c.chunk_id, "start": c.start, "end": c.end, "section": c.section,
             "page": c.page, "kind": c.kind}
            for c in ctx.store.chunks(doc_id)
        ]  # fmt: skip
        return data

    @router.get("/api/facts", tags=["facts"], summary="表格单元格（可按文档、地区、年份、表筛选）")
    def facts(
        doc_id: str | None = None,
        region: str | None = None,
        year: int | None = None,
        table: str | None = None,
    ) -> list[dict[str, Any]]:
        return [
            f.to_dict()
            for f in ctx.store.facts(doc_id)
            if (region is None or f.region == region)
            and (year is None or f.year == year)
            and (table is None or f.table == table)
        ]

    @router.get(
        "/api/tasks", tags=["tasks"], summary="任务分解表各项（可按文档、地区、年份、单位筛选）"
    )
    def tasks(
        doc_id: str | None = None,
        region: str | None = None,
        year: int | None = None,
        unit: str | None = None,
    ) -> list[dict[str, Any]]:
        return [
            t.to_dict()
            for t in ctx.store.tasks(doc_id)
            if (region is None or t.region == region)
            and (year is None or t.year == year)
            and (unit is None or any(unit in u for u in t.units))
        ]

    @router.get(
        "/api/check", tags=["review"], summary="年报审核：每份报告的发现（可按文档、地区、年份）"
    )
    def check(
        doc_id: str | None = None, region: str | None = None, year: int | None = None
    ) -> list[dict[str, Any]]:
        from assistant.review import check_reports

        docs = ctx.store.documents()
        chosen = [
            d
            for d in docs
            if (doc_id is None or d.doc_id == doc_id)
            and (region is None or region in d.region)
            and (year is None or d.year == year)
        ]
        return [f.to_dict() for f in check_reports(chosen, docs, ctx.store.facts)]

    @router.get(
        "/api/compare", tags=["review"], summary="对比：一个表格单元格在各单位、各年度的数字"
    )
    def compare_cells(
        measure: str,
        issuer: Annotated[list[str], Query()] = [],  # noqa: B006 (FastAPI reads it, never mutates)
        region: str | None = None,
        year: Annotated[list[int], Query()] = [],  # noqa: B006
    ) -> dict[str, Any]:
        """``measure`` = 表|行|列 (e.g. 依申请|本年新收|总计); issuers as 地区|发布机关, or all of
        ``region``. Blank cells and missing reports carry their state and no value (never 0)."""
        from assistant import compare
        from ui.render import cell_key, cell_url

        chosen = compare.measure_by_key(measure)
        if chosen is None:
            raise HTTPException(422, f"未知指标 {measure}（格式：表|行|列，见 table_formats.md）")
        docs = ctx.store.documents()
        keys = list(issuer) + (compare.region_issuers(docs, region) if region else [])
        years = year or compare.year_choices(docs)
        result = compare.compare(docs, ctx.store.facts, keys, years, chosen)
        entries = []
        for key, label in result.issuers:
            for y in result.years:
                entry = result.entries[(key, y)]
                item = {"issuer": key, "label": label, "year": y, "state": entry.state,
                        "value": entry.value}  # fmt: skip
                if entry.fact is not None:
                    f = entry.fact
                    item["doc_id"], item["start"], item["end"] = f.doc_id, f.start, f.end
                    item["url"] = cell_url(f.doc_id, [cell_key(f.table, f.row, f.col)])
                entries.append(item)
        return {"measure": chosen.key, "label": chosen.label, "unit": chosen.unit,
                "years": result.years, "entries": entries}  # fmt: skip

    @router.post("/api/documents", tags=["documents"], summary="上传并入库（与页面相同的检查）")
    def upload(files: Annotated[list[UploadFile], File()]) -> dict[str, Any]:
        with tempfile.TemporaryDirectory() as folder:
            saved = []
            for i, item in enumerate(files):
                path = Path(folder) / f"{i}.upload"
                with path.open("wb") as out:
                    _copy_bounded(item, out, ctx.max_bytes + 1)
                saved.append((path, item.filename or path.name))
            outcomes = ingest_uploads(
                saved, ctx.store, ctx.indexes(), ctx.settings.upload_dir, ctx.max_bytes,
                build=getattr(ctx, "builder", None),
            )  # fmt: skip
        results = [
            {"name": o.name, "status": o.status, "message": o.message, "doc_id": o.doc_id}
            for o in outcomes
        ]
        return {"results": results, "ok": all(o.ok for o in outcomes)}

    @router.delete("/api/documents/{doc_id}", tags=["documents"], summary="删除文档")
    def delete(doc_id: str) -> dict[str, Any]:
        outcome = delete_document(ctx.store, ctx.indexes(), doc_id, ctx.settings.upload_dir)
        if not outcome.ok:
            raise ApiError(404, outcome.message)
        return {"doc_id": doc_id, "status": outcome.status, "message": outcome.message}

    @router.get("/v1/models", tags=["openai"], summary="OpenAI 兼容：模型列表")
    def models() -> dict[str, Any]:
        return {
            "object": "list",
            "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "gongkai"}],
        }

    @router.post("/v1/chat/completions", tags=["openai"], summary="OpenAI 兼容：对话")
    def chat(body: ChatRequest, request: Request) -> Any:
        question, history = chat_turns(body.messages)
        base_url = str(request.base_url).rstrip("/")
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        if body.stream:
            events = _chat_stream(ctx, question, history, base_url, completion_id, created)
            return StreamingResponse(events, media_type="text/event-stream")
        result = ctx.assistant.answer(question, history)
        return {
            "id": completion_id,
            "object": "chat.completion",
            "created": created,
            "model": MODEL_ID,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply_text(result, base_url)},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "gongkai": answer_object(result),
        }

    return router


def _chat_stream(
    ctx: AppContext,
    question: str,
    history: History,
    base_url: str,
    completion_id: str,
    created: int,
) -> Iterator[str]:
    """OpenAI chunks: the verified answer text (with sources), then ``[DONE]``.

    The model's own tokens are not streamed here: they are unverified until the citation check
    has run, and a chat client cannot take back text it has shown.
    """

    def chunk(delta: dict, finish: str | None = None, extra: dict | None = None) -> str:
        data = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        data.update(extra or {})
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    result = ctx.assistant.answer(question, history)
    text = reply_text(result, base_url)
    for start in range(0, len(text), 64):
        yield chunk({"content": text[start : start + 64]})
    yield chunk({}, "stop", {"gongkai": answer_object(result)})
    yield "data: [DONE]\n\n"


def _assistant_for(ctx: AppContext, llm: str) -> Answering:
    """The shared assistant with another generation backend for one request."""

    class _WithBackend:
        def answer(self, question: str, history: History | None = None, **kwargs: Any) -> Answer:
            return ctx.assistant.answer(question, history, llm=llm, **kwargs)

    return _WithBackend()


def _copy_bounded(item: UploadFile, out, limit: int) -> None:
    """Copy an upload in blocks, stopping past ``limit`` bytes (the size check reports it)."""
    copied = 0
    while block := item.file.read(1 << 20):
        out.write(block[: max(0, limit - copied)])
        copied += len(block)
        if copied >= limit:
            return


def install_api(
    app: FastAPI, ctx: AppContext, authorized: Callable[[Request], bool], token: str
) -> None:
    """Add the API routes, the JSON error format and the body-size limit to ``app``."""
    upload_limit = ctx.max_bytes * 4 + 1024 * 1024

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        path = request.url.path
        if path.startswith(("/api/", "/v1/")):
            limit = upload_limit if path == "/api/documents" else MAX_JSON_BYTES
            declared = request.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limit:
                return error_response(413, f"请求体过大（上限 {limit // 1024} KB）")
        return await call_next(request)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        headers = {"WWW-Authenticate": 'Bearer realm="gongkai"'} if exc.status_code == 401 else {}
        response = error_response(exc.status_code, exc.detail)
        response.headers.update(headers)
        return response

    @app.exception_handler(ModelUnavailable)
    async def no_model(request: Request, exc: ModelUnavailable):
        return error_response(400, f"所选生成方式不可用：{exc}")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        detail = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()[:10]
        ]
        return error_response(422, detail)

    app.include_router(api_router(ctx, authorized, token))
