"""The web server without a browser: source viewer route, login, health, first-start ingest."""

from __future__ import annotations

import base64
import dataclasses
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.config import load_settings
from ui.server import AppContext, basic_auth_ok, create_app, parse_auth

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def settings_for(home: Path, **changes):
    return dataclasses.replace(load_settings(), home=home, llm="none", auth="", **changes)


@pytest.fixture(scope="module")
def client(sample_store) -> TestClient:
    app = create_app(settings_for(sample_store.path.parent))
    return TestClient(app)  # no `with`: the warm-up thread is not started


@pytest.fixture(scope="module")
def laiwu(sample_docs):
    return sample_docs["laiwu_2020_annual_report.txt"]


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_source_route_shows_the_document_with_the_span_marked(client, laiwu):
    start = laiwu.text.index("结果维持1件、纠正10件")
    response = client.get(f"/source/{laiwu.doc_id}?start={start}&end={start + 12}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert '<mark class="gk-hl" id="cited">结果维持1件、纠正10件</mark>' in response.text
    assert f"/source/{laiwu.doc_id}?start={start}&amp;end={start + 12}#cited" in response.text
    assert "济南市莱芜区人民政府2020年政府信息公开工作年度报告" in response.text


def test_unknown_document_is_a_clear_404(client):
    response = client.get("/source/ffffffffffffffff?start=0&end=5")
    assert response.status_code == 404
    assert "资料库中没有文档 ffffffffffffffff" in response.text


def test_health_reports_ready_and_the_document_count(client):
    assert client.get("/healthz").json() == {
        "status": "ready",
        "message": "",
        "documents": 8,
        "model": {"backend": "none", "state": "off", "reason": ""},
    }


def test_page_is_served_in_chinese(client):
    assert client.get("/").status_code == 200
    config = client.get("/config").json()
    assert config["title"] == "政务公开问答"
    labels = {c["props"].get("label") for c in config["components"]}
    assert {"地区", "年份", "文档类型", "对话", "上传文件"} <= labels


def test_auth_setting_is_user_colon_password():
    assert parse_auth("") is None
    assert parse_auth("staff:p:w") == ("staff", "p:w")
    with pytest.raises(ValueError, match="用户名:密码"):
        parse_auth("staff")
    assert basic_auth_ok(basic("staff", "pw")["Authorization"], ("staff", "pw"))
    assert not basic_auth_ok(basic("staff", "no")["Authorization"], ("staff", "pw"))
    assert not basic_auth_ok("Basic !!!", ("staff", "pw"))


def test_with_a_login_source_links_need_it_too(sample_store, laiwu):
    app = create_app(dataclasses.replace(settings_for(sample_store.path.parent), auth="staff:pw"))
    client = TestClient(app)
    url = f"/source/{laiwu.doc_id}?start=0&end=10"
    refused = client.get(url)
    assert refused.status_code == 401 and "请先登录" in refused.text
    assert refused.headers["www-authenticate"].startswith("Basic")
    assert client.get(url, headers=basic("staff", "wrong")).status_code == 401
    assert client.get(url, headers=basic("staff", "pw")).status_code == 200
    # Logging in on the page (Gradio's login form) opens source links as well.
    assert client.post("/login", data={"username": "staff", "password": "pw"}).status_code == 200
    assert client.get(url).status_code == 200


@pytest.mark.slow
def test_first_start_ingests_the_sample_with_progress(tmp_path):
    folder = tmp_path / "sample"
    folder.mkdir()
    shutil.copy(SAMPLE / "laiwu_2022_work_points.txt", folder)
    ctx = AppContext(settings_for(tmp_path / "home", embed="use"))
    assert ctx.first_start and ctx.startup.state == "ingesting"
    ctx.ingest_sample(folder)
    assert ctx.startup.state == "ready" and ctx.startup.done == ctx.startup.total == 1
    assert [d.region for d in ctx.store.documents()] == ["济南市莱芜区"]
    again = AppContext(settings_for(tmp_path / "home", embed="use"))
    assert not again.first_start and again.startup.state == "ready"
