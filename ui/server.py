"""The web server: the source viewer (/source/<doc_id>), a health check and the Gradio UI at /.

    app = create_app(load_settings()); serve(app, settings)

On first start (no database under GONGKAI_HOME yet) the sample corpus is ingested in the
background while the page is already up; the page and the terminal show the progress.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
import threading
from contextlib import asynccontextmanager

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported anywhere

from fastapi import FastAPI, Query, Request  # noqa: E402
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response  # noqa: E402

from config import SAMPLE_DIR, Settings  # noqa: E402
from ui.context import AppContext, say  # noqa: E402
from ui.render import not_found_page_html, source_page_html  # noqa: E402
from ui.rest import install_api  # noqa: E402

log = logging.getLogger("gongkai.ui")
SOURCE_PAGE_HEADERS = {
    # The viewer page runs no script at all: even unescaped text could not execute.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
# The cell view shows the page picture from this server too (still no script).
CELL_PAGE_HEADERS = {
    **SOURCE_PAGE_HEADERS,
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "frame-ancestors 'self'",
}
MAX_CELLS_PER_VIEW = 24


def parse_auth(spec: str) -> tuple[str, str] | None:
    """``GONGKAI_AUTH=user:password`` → (user, password); empty → None (no login)."""
    if not spec:
        return None
    user, sep, password = spec.partition(":")
    if not sep or not user or not password:
        raise ValueError("GONGKAI_AUTH 格式应为 用户名:密码")
    return user, password


def basic_auth_ok(header: str, credentials: tuple[str, str]) -> bool:
    """Whether an ``Authorization: Basic …`` header carries these credentials."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(encoded).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    # Bytes: compare_digest raises on non-ASCII str, and a Chinese user name is common here.
    same_user = secrets.compare_digest(user.encode(), credentials[0].encode())
    return secrets.compare_digest(password.encode(), credentials[1].encode()) and same_user


def mounted_gradio_app(app: FastAPI):
    """The Gradio sub-application mounted at / (it holds the login tokens)."""
    for route in app.routes:
        sub = getattr(route, "app", None)
        if sub is not None and hasattr(sub, "tokens") and hasattr(sub, "cookie_id"):
            return sub
    return None


def is_authorized(request: Request, app: FastAPI, credentials: tuple[str, str] | None) -> bool:
    """Logged in through the page (Gradio's cookie) or HTTP Basic with GONGKAI_AUTH."""
    if credentials is None:
        return True
    gradio_app = mounted_gradio_app(app)
    if gradio_app is not None:
        cookie = request.cookies.get(f"access-token-{gradio_app.cookie_id}") or request.cookies.get(
            f"access-token-unsecure-{gradio_app.cookie_id}"
        )
        if cookie and cookie in gradio_app.tokens:
            return True
    return basic_auth_ok(request.headers.get("authorization", ""), credentials)


def create_app(settings: Settings, context: AppContext | None = None) -> FastAPI:
    """The whole web application: routes of our own first, then Gradio mounted at /."""
    import gradio as gr

    from ui.blocks import CSS, HEAD, build_blocks, theme

    ctx = context or AppContext(settings)
    credentials = parse_auth(settings.auth)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if ctx.first_start:
            threading.Thread(target=ctx.ingest_sample, name="gongkai-ingest", daemon=True).start()
        else:
            threading.Thread(target=ctx.warm_up, name="gongkai-warmup", daemon=True).start()
        threading.Thread(target=ctx.start_model, name="gongkai-model-start", daemon=True).start()
        say(f"政务公开问答已启动：http://{settings.host}:{settings.port}/")
        yield

    app = FastAPI(
        title="政务公开问答 API",
        version="1",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.context = ctx
    install_api(
        app, ctx, lambda request: is_authorized(request, app, credentials), settings.api_token
    )

    @app.get("/healthz")
    def healthz(request: Request) -> JSONResponse:
        """Liveness for anyone (a probe needs no login); the details only for the logged in."""
        status = ctx.startup
        if not is_authorized(request, app, credentials):
            return JSONResponse({"status": status.state})
        return JSONResponse(
            {
                "status": status.state,
                "message": status.message,
                "documents": ctx.store.counts()["documents"],
                "model": ctx.model_status(),
            }
        )

    allowed = allowed_hosts(settings)

    @app.middleware("http")
    async def check_host(request: Request, call_next):
        # DNS rebinding: a page on another site may resolve its own name to 127.0.0.1.
        host = request.headers.get("host", "").rsplit(":", 1)[0].strip("[]").lower()
        if allowed and host not in allowed:
            return JSONResponse(
                {"error": "bad_host", "detail": f"不接受 Host “{host}”（GONGKAI_ALLOWED_HOSTS）"},
                status_code=400,
            )
        return await call_next(request)

    @app.get("/source/{doc_id}", response_class=HTMLResponse)
    def source(
        request: Request, doc_id: str, start: int = 0, end: int = 0, cs: int = 0, ce: int = 0
    ) -> HTMLResponse:
        if not is_authorized(request, app, credentials):
            return HTMLResponse(
                not_found_page_html("请先登录政务公开问答，再打开原文链接。"),
                status_code=401,
                headers={"WWW-Authenticate": 'Basic realm="gongkai", charset="UTF-8"'},
            )
        doc = ctx.store.document(doc_id)
        if doc is None:
            return HTMLResponse(
                not_found_page_html(f"资料库中没有文档 {doc_id}（可能已被删除或重新入库）。"),
                status_code=404,
                headers=SOURCE_PAGE_HEADERS,
            )
        url = str(request.url.replace(fragment="")) + "#cited" if end > start else str(request.url)
        cell = (cs, ce) if cs < ce else None
        return HTMLResponse(
            source_page_html(doc, start, end, url, cell), headers=SOURCE_PAGE_HEADERS
        )

    install_cell_routes(app, ctx, lambda request: is_authorized(request, app, credentials))
    blocks = build_blocks(ctx)
    return gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        server_name=settings.host,
        server_port=settings.port,
        footer_links=[],
        run_history=False,
        auth=credentials,
        auth_message="请输入政务公开问答的用户名和密码。",
        show_error=True,
        max_file_size=max(4 * settings.max_file_mb, 100) * 1024 * 1024,
        theme=theme(),
        css=CSS,
        head=HEAD,
        ssr_mode=False,
        mcp_server=False,
        enable_monitoring=False,
        pwa=False,
    )


def login_page() -> HTMLResponse:
    return HTMLResponse(
        not_found_page_html("请先登录政务公开问答，再打开原文链接。"),
        status_code=401,
        headers={"WWW-Authenticate": 'Basic realm="gongkai", charset="UTF-8"'},
    )


def install_cell_routes(app: FastAPI, ctx: AppContext, authorized) -> None:
    """``/cell/<doc_id>?cell=表|行|列`` (the cell view) and ``/page-image/<doc_id>/<page>``."""
    from ui import cellview, pages

    roots = pages.corpus_roots(SAMPLE_DIR, ctx.settings.upload_dir, ctx.settings.corpus_dirs)
    cache_dir = ctx.settings.home / "cache" / "pages"

    @app.get("/cell/{doc_id}", response_class=HTMLResponse)
    def cell_view(
        request: Request,
        doc_id: str,
        cell: list[str] = Query(default=[]),  # noqa: B008
    ) -> HTMLResponse:
        if not authorized(request):
            return login_page()
        doc = ctx.store.document(doc_id)
        if doc is None:
            return HTMLResponse(
                not_found_page_html(f"资料库中没有文档 {doc_id}（可能已被删除或重新入库）。"),
                status_code=404, headers=SOURCE_PAGE_HEADERS,
            )  # fmt: skip
        facts = ctx.store.facts(doc_id)
        wanted = cellview.wanted_facts(facts, cell[:MAX_CELLS_PER_VIEW])
        if not wanted:
            return HTMLResponse(
                not_found_page_html(f"《{doc.title}》中没有所指的表格单元格（{'；'.join(cell[:3])}）。"),
                status_code=404, headers=SOURCE_PAGE_HEADERS,
            )  # fmt: skip
        images: dict[int, cellview.PageImage] = {}
        note = ""
        for page in dict.fromkeys(f.page for f in wanted if f.page is not None and f.bbox):
            try:
                rendered = pages.render_page(doc, page, roots, cache_dir)
            except pages.PageUnavailable as exc:
                note = str(exc)
                continue
            except Exception as exc:  # a broken PDF must not break the cell view
                log.warning("页面图像生成失败：%s 第 %s 页：%s", doc.source, page, exc)
                note = f"页面图像生成失败（{type(exc).__name__}）。"
                continue
            url = f"/page-image/{doc.doc_id}/{page}"
            images[page] = cellview.PageImage(url, rendered.width, rendered.height)
        html = cellview.cell_page_html(doc, facts, wanted, images, note)
        return HTMLResponse(html, headers=CELL_PAGE_HEADERS)

    @app.get("/page-image/{doc_id}/{page}")
    def page_image(request: Request, doc_id: str, page: int) -> Response:
        if not authorized(request):
            return Response(status_code=401)
        doc = ctx.store.document(doc_id)
        if doc is None:
            return JSONResponse({"error": "not_found", "detail": "没有此文档"}, status_code=404)
        try:
            rendered = pages.render_page(doc, page, roots, cache_dir)
        except pages.PageUnavailable as exc:
            return JSONResponse({"error": "unavailable", "detail": str(exc)}, status_code=404)
        return FileResponse(
            rendered.path, media_type="image/png",
            headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
        )  # fmt: skip


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "testserver")  # testserver: in-process clients


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_NAMES or host.startswith("127.")


def allowed_hosts(settings: Settings) -> set[str]:
    """Host names a request may carry: loopback names when the app listens on loopback (plus
    GONGKAI_ALLOWED_HOSTS); empty (any) when it listens elsewhere and no list is given."""
    extra = {h.lower() for h in settings.allowed_hosts}
    if is_loopback(settings.host):
        return set(LOOPBACK_NAMES) | {settings.host} | extra
    return extra | ({settings.host} if extra else set())


def check_exposure(settings: Settings) -> None:
    """Refuse to serve a non-loopback address without a login unless explicitly allowed."""
    if not is_loopback(settings.host) and not settings.auth and not settings.allow_open:
        raise SystemExit(
            f"拒绝在 {settings.host} 上无登录提供服务：请设置 GONGKAI_AUTH=用户名:密码，"
            "或确需开放时设置 GONGKAI_ALLOW_OPEN=1。"
        )


def serve(app: FastAPI, settings: Settings) -> None:
    """Run the server on GONGKAI_HOST:GONGKAI_PORT (127.0.0.1:7860 by default)."""
    import uvicorn

    check_exposure(settings)

    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", access_log=False)
