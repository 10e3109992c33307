"""The real app in a real browser: ``python app.py`` on the sample corpus, driven by Chromium.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install -y chromium``); skipped
otherwise. The sample corpus is ingested once into a cache (pytest's cache folder, keyed by the
corpus and the indexing code) and copied into a fresh GONGKAI_HOME for each run. Answers are
deterministic: GONGKAI_LLM=none. Screenshots of every step go to test-artifacts/browser/.

    .venv/bin/pytest -m browser tests/browser
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.app_process import REPO, running_app, sample_home_copy

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ANSWER_TIMEOUT_MS = 60_000
FUYI_QUESTION = "莱芜区2020年行政复议结果纠正多少件？"
PILOT_NOTICE = """济南市莱芜区人民政府办公室
关于开展政务公开智能问答试点工作的通知
各镇人民政府、街道办事处，区政府各部门：
为提升政务公开服务水平，区政府决定在全区开展政务公开智能问答试点工作。现将有关事项通知如下：
一、试点内容
智能问答试点工作由区大数据中心牵头，区政务公开办配合，2024年12月底前完成平台上线。
二、注意事项
网页源代码中的 <script>window.__gk_xss = 1</script> 等内容只作为文字保存和显示。
济南市莱芜区人民政府办公室
2024年3月1日
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not installed at /usr/bin/chromium "
        "(apt-get install -y chromium)",
    ),
]


# -- the app ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_home(request, tmp_path_factory) -> Path:
    """A GONGKAI_HOME holding the ingested sample corpus (a copy of the cached one)."""
    return sample_home_copy(request.config, tmp_path_factory.mktemp("gongkai") / "home")


@pytest.fixture(scope="module")
def app_url(sample_home) -> str:
    """``python app.py`` on a free port; always terminated."""
    with running_app(sample_home, ARTIFACTS / "app.log") as url:
        yield url


# -- the browser ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def outside_requests() -> list[str]:
    """Every request the pages made to anything but the app (there must be none)."""
    return []


def open_app(browser, app_url, outside_requests, **context_options):
    """A page of the app in a fresh browser context, recording any request leaving it."""
    context = browser.new_context(locale="zh-CN", **context_options)
    page = context.new_page()
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith((app_url, "data:", "blob:", "about:"))
            else outside_requests.append(r.url)
        ),
    )
    page.goto(app_url)
    page.locator("#gk-question textarea").wait_for(timeout=30_000)
    return context, page


@pytest.fixture
def page(browser, app_url, outside_requests):
    context, page = open_app(
        browser, app_url, outside_requests, viewport={"width": 1440, "height": 900}
    )
    yield page
    context.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def answers(page):
    """The finished answers in the chat (not the one still streaming)."""
    return page.locator("#gk-chat .gk-answer:not(.gk-streaming)")


def ask(page, question: str):
    """Type a question, send it and wait for its finished answer; returns that answer."""
    done = answers(page).count()
    page.locator("#gk-question textarea").fill(question)
    page.locator("#gk-ask").click()
    answer = answers(page).nth(done)
    answer.wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert "gk-error" not in (answer.get_attribute("class") or ""), answer.inner_text()
    return answer


def source_frame(page):
    return page.frame_locator('iframe[name="gk-source"]')


# -- the tests --------------------------------------------------------------------------
def test_fuyi_question_shows_the_figure_with_a_citation(page):
    answer = ask(page, FUYI_QUESTION)
    assert "10件" in answer.locator(".gk-text").inner_text()
    assert answer.locator(".gk-value").inner_text() == "10"
    assert "行政复议 / 结果纠正" in answer.locator(".gk-cells").inner_text()
    sources = answer.locator(".gk-sources").inner_text()
    assert "济南市莱芜区人民政府2020年政府信息公开工作年度报告" in sources
    assert "行政复议、行政诉讼情况" in sources  # the section
    assert answer.locator(".gk-text a.gk-cite").first.inner_text() == "[1]"
    shot(page, "01-fuyi-answer")


def test_example_question_in_english_gives_the_same_figure(page):
    page.get_by_text("how many 复议 cases were corrected in 2020?").click()
    answer = answers(page).first
    answer.wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert "10件" in answer.inner_text()


def test_citation_opens_the_source_scrolled_to_the_highlighted_span(page, app_url):
    answer = ask(page, FUYI_QUESTION)
    link = answer.locator(".gk-text a.gk-cite").first
    href = link.get_attribute("href")
    assert href.startswith("/cell/") and "cell=" in href  # a table citation names its cell
    link.click()
    full_text = source_frame(page).get_by_role("link", name="在全文中查看此行")
    full_text.wait_for(timeout=15_000)
    source = full_text.get_attribute("href")
    assert source.startswith("/source/") and "start=" in source and "cs=" in source
    full_text.click()
    mark = source_frame(page).locator("mark#cited")
    mark.wait_for(timeout=15_000)
    assert "结果纠正" in mark.inner_text() and "10" in mark.inner_text().split()
    assert "gk-hl-row" in mark.get_attribute("class")  # a table citation marks whole rows …
    cell = source_frame(page).locator("mark.gk-hl-cell")
    assert cell.count() == 1 and cell.inner_text() == "10"  # … and the cell's own characters
    in_view = mark.evaluate(
        "m => { const r = m.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; }"
    )
    assert in_view, "the viewer did not scroll to the cited span"
    assert page.locator("#gk-open-source").get_attribute("href") == href
    shot(page, "02-citation-source")
    # The stable URLs work on their own, e.g. pasted into a report.
    response = page.request.get(app_url.rstrip("/") + source)
    assert response.ok
    assert '<mark class="gk-hl gk-hl-row" id="cited">' in response.text()
    assert page.request.get(app_url.rstrip("/") + href).ok


def test_follow_up_uses_the_conversation(page):
    ask(page, FUYI_QUESTION)
    follow_up = ask(page, "那槐荫区2019年呢？")
    assert "3件" in follow_up.locator(".gk-text").inner_text()
    foot = follow_up.locator(".gk-foot").inner_text()
    assert "理解为" in foot and "槐荫区" in foot and "2019" in foot and "结果纠正" in foot
    assert "槐荫区人民政府2019年" in follow_up.locator(".gk-sources").inner_text()
    shot(page, "03-follow-up")


def test_unanswerable_question_is_refused(page):
    answer = ask(page, "北京市2020年行政复议结果纠正多少件？")
    assert "gk-refused" in answer.get_attribute("class")
    assert "资料库中没有北京市" in answer.inner_text()
    assert answer.locator("a.gk-cite").count() == 0
    assert answer.locator(".gk-value").count() == 0
    shot(page, "04-refusal")


def test_filters_narrow_retrieval(page):
    page.locator("#gk-region input").click()
    page.get_by_role("option", name="淮安市洪泽区", exact=True).click()
    answer = ask(page, "存在哪些主要问题？")
    places = answer.locator(".gk-sources .gk-meta").all_inner_texts()
    assert places and all(p.startswith("淮安市洪泽区") for p in places), places
    shot(page, "05-filtered-answer")


def test_feedback_is_appended_to_jsonl(page, sample_home):
    ask(page, FUYI_QUESTION)
    page.locator('#gk-chat button[aria-label="赞"]').last.click()
    path = sample_home / "feedback.jsonl"
    deadline = time.monotonic() + 10
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    record = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
    assert record["rating"] == "up" and record["question"] == FUYI_QUESTION
    assert record["value"] == 10 and record["citations"][0]["n"] == 1


def test_library_shows_the_spam_warning(page):
    page.get_by_role("tab", name="文档库").click()
    row = page.locator("#gk-library tr", has_text="2021年政府信息公开工作年度报告")
    row.first.wait_for(timeout=15_000)
    assert "疑似被注入垃圾文字" in row.first.inner_text()
    assert "bet365" in row.first.locator(".gk-badge-warn").first.inner_text()
    shot(page, "06-library-spam-warning")


def test_uploaded_document_is_answered_cited_and_shown_escaped(page, tmp_path):
    from playwright.sync_api import expect

    notice = tmp_path / "pilot_notice.txt"
    notice.write_text(PILOT_NOTICE, encoding="utf-8")
    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ\x90\x00not a document")
    page.get_by_role("tab", name="文档库").click()
    page.locator("#gk-upload input[type=file]").set_input_files([str(notice), str(program)])
    expect(page.locator("#gk-upload")).to_contain_text("pilot_notice", timeout=15_000)
    expect(page.locator("#gk-upload")).to_contain_text("setup", timeout=15_000)
    page.locator("#gk-upload-button").click()
    results = page.locator("#gk-results .gk-results")
    results.wait_for(timeout=120_000)
    text = results.inner_text()
    assert "✓ 新增 pilot_notice.txt" in text
    assert "✗ setup.exe: 不支持的文件类型 .exe" in text
    row = page.locator("#gk-library tr", has_text="pilot_notice.txt")
    expect(row).to_have_count(1)
    doc_id = row.get_attribute("data-doc")
    shot(page, "07-upload-results")

    page.get_by_role("tab", name="问答").click()
    answer = ask(page, "智能问答试点工作由哪个部门牵头？")
    assert "区大数据中心" in answer.locator(".gk-text").inner_text()
    cited = answer.locator(f'.gk-sources a.gk-cite[href^="/source/{doc_id}?"]')
    assert cited.count() >= 1, "the answer does not cite the uploaded document"
    cited.first.click()
    frame = source_frame(page)
    frame.locator("mark#cited").wait_for(timeout=15_000)
    assert "智能问答试点工作" in frame.locator("mark#cited").inner_text()
    assert "关于开展政务公开智能问答试点工作的通知" in frame.locator("main").inner_text()
    body = frame.locator("main").inner_text()
    assert "<script>window.__gk_xss = 1</script>" in body  # shown as text …
    assert frame.locator("script").count() == 0  # … never as an element
    assert frame.locator("main").evaluate("() => window.__gk_xss === undefined")
    assert page.evaluate("() => window.__gk_xss === undefined")
    shot(page, "08-uploaded-doc-escaped-script")


def test_pages_load_nothing_from_outside_the_app(page, outside_requests):
    page.reload()
    page.locator("#gk-question textarea").wait_for()
    page.wait_for_timeout(2000)  # the page keeps a stream open, so "network idle" never comes
    assert outside_requests == []  # fonts, analytics, CDNs: none, in this or any earlier test


# -- the review desk (issue 16): cell view, page image, 对比, 年报审核 at 1366×768 ---------------
@pytest.fixture
def desk(browser, app_url, outside_requests):
    """A page at the office-screen size the review desk is made for."""
    context, page = open_app(
        browser, app_url, outside_requests,
        viewport={"width": 1366, "height": 768}, accept_downloads=True,
    )  # fmt: skip
    yield page
    context.close()


def pick(page, dropdown: str, *options: str) -> None:
    """Choose options in a Gradio dropdown by their labels."""
    for option in options:
        page.locator(f"{dropdown} input").click()
        page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def test_table_citation_opens_the_cell_view_with_the_answered_cell(desk):
    question = desk.locator("#gk-question textarea")
    question.focus()
    question.fill(FUYI_QUESTION)
    question.press("Enter")  # Enter submits
    answer = answers(desk).first
    answer.wait_for(timeout=ANSWER_TIMEOUT_MS)
    figure = answer.locator(".gk-value").inner_text()
    answer.locator(".gk-text a.gk-cite").first.click()
    frame = source_frame(desk)
    hit = frame.locator("td.gk-hit")
    hit.first.wait_for(timeout=15_000)
    assert hit.count() == 1 and hit.inner_text() == figure == "10"
    assert frame.locator("th.gk-hit-row").inner_text() == "行政复议"
    assert frame.locator("th.gk-hit-col").inner_text() == "结果纠正"
    assert frame.locator("mark.gk-cellmark").inner_text() == "10"  # the printed characters
    # The grid is the schema's: three rows × five result columns, numbers as parsed.
    assert frame.locator(".gk-grid tbody tr").count() == 3
    assert frame.locator(".gk-grid thead th.gk-colhead").count() == 5
    shot(desk, "09-cell-view")


def test_pdf_cell_view_shows_the_page_with_the_cells_box(desk, app_url):
    answer = ask(desk, "洪泽区2024年行政复议结果纠正多少件？")
    figure = answer.locator(".gk-value").inner_text()
    link = answer.locator(".gk-text a.gk-cite").first
    href = link.get_attribute("href")
    link.click()
    frame = source_frame(desk)
    frame.locator("td.gk-hit").wait_for(timeout=15_000)
    assert frame.locator("td.gk-hit").inner_text() == figure
    assert "原件第 4 页" in frame.locator("main").inner_text()
    image = frame.locator(".gk-page img")
    image.scroll_into_view_if_needed()
    assert image.evaluate("i => i.complete && i.naturalWidth > 500")
    box = frame.locator(".gk-page .gk-box")
    assert box.count() == 1
    img_rect, box_rect = image.bounding_box(), box.bounding_box()
    inside = (
        img_rect["x"]
        <= box_rect["x"]
        < box_rect["x"] + box_rect["width"]
        <= img_rect["x"] + img_rect["width"] + 1
        and img_rect["y"]
        <= box_rect["y"]
        < box_rect["y"] + box_rect["height"]
        <= img_rect["y"] + img_rect["height"] + 1
    )
    assert inside and 2 < box_rect["width"] < img_rect["width"] / 4
    box.scroll_into_view_if_needed()
    shot(desk, "10-pdf-page-box")
    # The picture is a bounded PNG served by the app.
    src = image.get_attribute("src")
    response = desk.request.get(app_url.rstrip("/") + src)
    assert response.ok and response.headers["content-type"] == "image/png"
    assert response.body()[:8] == b"\x89PNG\r\n\x1a\n"
    assert desk.request.get(app_url.rstrip("/") + href).ok


def test_compare_view_draws_a_chart_for_two_issuers_and_years(desk):
    desk.get_by_role("tab", name="对比").click()
    pick(desk, "#gk-cmp-issuers", "淮安市洪泽区人民政府", "淮安市人民政府")
    pick(desk, "#gk-cmp-years", "2023年", "2024年")
    # Keyboard: from the measure, Tab reaches the button and Enter runs the comparison.
    desk.locator("#gk-cmp-measure input").focus()
    for _ in range(6):
        desk.keyboard.press("Tab")
        if desk.evaluate("() => !!document.activeElement.closest('#gk-cmp-run')"):
            break
    assert desk.evaluate("() => !!document.activeElement.closest('#gk-cmp-run')")
    desk.keyboard.press("Enter")
    table = desk.locator("#gk-cmp-table table.gk-compare")
    table.wait_for(timeout=15_000)
    rows = {
        r.locator("th").inner_text(): r.locator("td").all_inner_texts()
        for r in table.locator("tbody tr").all()
    }
    assert rows["淮安市洪泽区人民政府"] == ["21", "95"]
    assert rows["淮安市人民政府"] == ["无报告", "3119"]  # never 0
    chart = desk.locator("#gk-cmp-line")
    chart.locator("canvas, svg").first.wait_for(timeout=15_000)
    assert not desk.locator("#gk-cmp-bar").is_visible()
    shot(desk, "11-compare-line")
    # Every number opens its cell.
    table.get_by_role("link", name="95").click()
    frame = desk.frame_locator('iframe[name="gk-compare-source"]')
    frame.locator("td.gk-hit").wait_for(timeout=15_000)
    assert frame.locator("td.gk-hit").inner_text() == "95"
    # One year: a bar chart.
    desk.locator("#gk-cmp-years .token", has_text="2023年").locator(".token-remove").click()
    desk.locator("#gk-cmp-run").click()
    desk.locator("#gk-cmp-bar").locator("canvas, svg").first.wait_for(timeout=15_000)
    shot(desk, "12-compare-bar")


def test_review_desk_loads_nothing_from_outside_the_app(outside_requests):
    assert outside_requests == []  # charts, page pictures, downloads: all served by the app


def test_check_list_shows_findings_and_exports_them(desk, tmp_path):
    from openpyxl import load_workbook

    desk.get_by_role("tab", name="文档库").click()
    pick(
        desk,
        "#gk-check-scope",
        "报告：洪泽区人民政府2023年政府信息公开工作年度报告（淮安市洪泽区 2023年）",
    )
    desk.locator("#gk-check-run").click()
    findings = desk.locator("#gk-check-findings tr.gk-finding")
    findings.first.wait_for(timeout=30_000)
    texts = findings.all_inner_texts()
    assert any("错误" in t and "勾稽关系" in t and "复议诉讼/行政复议" in t for t in texts), texts
    assert all("洪泽区人民政府2023年" in t for t in texts)
    link = findings.first.locator("a.gk-src-link").first
    assert link.get_attribute("href").startswith("/source/")
    desk.locator("#gk-check-findings").scroll_into_view_if_needed()
    shot(desk, "13-check-findings")
    with desk.expect_download() as download:
        desk.locator("#gk-check-xlsx").click()
    path = tmp_path / "check.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[1]][:4] == ["报告", "doc_id", "严重程度", "规则"]
    assert sheet.max_row == len(texts) + 1
    with desk.expect_download() as download:
        desk.locator("#gk-check-csv").click()
    csv_path = tmp_path / "check.csv"
    download.value.save_as(csv_path)
    assert len(csv_path.read_text(encoding="utf-8-sig").strip().splitlines()) >= len(texts) + 1
