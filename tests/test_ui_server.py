"""The web server without a browser: source viewer route, login, health, first-start ingest."""

from __future__ import annotations

import base64
import dataclasses
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from config import load_settings
from ui.server import AppContext, basic_auth_ok, create_app, parse_auth

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def settings_for(home: Path, **changes):
    return dataclasses.replace(load_settings(), home=home, **{"llm": "none", "auth": "", **changes})


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


def test_health_without_login_is_only_liveness(sample_store):
    app = create_app(settings_for(sample_store.path.parent, auth="办公室:口令"))
    client = TestClient(app)
    assert client.get("/healthz").json() == {"status": "ready"}
    full = client.get("/healthz", headers=basic("办公室", "口令")).json()
    assert full["documents"] == 8 and "model" in full


def test_a_foreign_host_header_is_refused_on_a_loopback_server(client):
    assert client.get("/healthz", headers={"host": "attacker.example"}).status_code == 400
    assert client.get("/healthz", headers={"host": "127.0.0.1:7860"}).status_code == 200


def test_an_open_address_needs_a_login_or_an_explicit_opt_in(tmp_path):
    from ui.server import check_exposure

    with pytest.raises(SystemExit, match="GONGKAI_AUTH"):
        check_exposure(settings_for(tmp_path, host="0.0.0.0"))
    check_exposure(settings_for(tmp_path, host="0.0.0.0", auth="a:b"))
    check_exposure(settings_for(tmp_path, host="0.0.0.0", allow_open=True))
    check_exposure(settings_for(tmp_path))


def test_delete_is_confirmed_by_the_server(sample_store):
    ctx = AppContext(settings_for(sample_store.path.parent))
    assert not ctx.confirm_delete("a")  # the first click only arms
    assert not ctx.confirm_delete("b")  # another document: armed again for b
    assert ctx.confirm_delete("b")
    assert not ctx.confirm_delete("b")  # used up


def test_start_brings_indexes_left_behind_by_a_crash_in_step(tmp_path):
    from index.pipeline import indexes_in_step, ingest_file

    settings = settings_for(tmp_path / "home", embed="use")
    ctx = AppContext(settings)
    ingest_file(SAMPLE / "huaiyin_2020_work_points.txt", ctx.store, 10**7)  # then "killed"
    assert not indexes_in_step(ctx.store, ctx.indexes())
    ctx.warm_up()
    assert indexes_in_step(ctx.store, ctx.indexes()) and ctx.startup.state == "ready"
