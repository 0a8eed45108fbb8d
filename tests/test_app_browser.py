"""End to end: the real Streamlit server, driven in headless Chromium (Debian's package,
installed by .ci/run) through Playwright. Skips, saying why, only where Chromium is absent."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

pytestmark = pytest.mark.browser


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip(
            "Chromium is not installed here (Debian: apt-get install chromium; "
            ".ci/run installs it): the browser test cannot run"
        )
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(server_process: tuple[str, int]) -> str:
    return server_process[0]


@pytest.fixture(scope="module")
def server_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    port = _free_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    log = log_path.open("wb")
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail(
                "the Streamlit server did not start within 60 s:\n"
                + log_path.read_text(errors="replace")
            )
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_page_loads_shows_the_plan_and_follows_a_parameter(server: str, tmp_path: Path) -> None:
    chromium = _chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(server, wait_until="domcontentloaded")
            title = page.get_by_text("电动汽车自用充电桩规划")
            expect(title).to_be_visible(timeout=60_000)
            metric = page.locator('[data-testid="stMetric"]').filter(has_text="容量不足待排队")
            expect(metric).to_contain_text("4", timeout=30_000)
            expect(page.get_by_text("和平小区地下车库").first).to_be_visible()
            expect(page.get_by_text("Deploy", exact=True)).to_have_count(0)  # a desk, not a demo
            page.get_by_test_id("stSidebarUserContent").get_by_text(
                "智能有序充电", exact=True
            ).click()
            expect(metric).to_contain_text("0", timeout=30_000)
            planned = page.locator('[data-testid="stMetric"]').first  # 可建设
            expect(planned).to_contain_text("12", timeout=30_000)
            page.wait_for_timeout(1500)  # let the chart finish drawing for the screenshot
            expect(page.get_by_test_id("stException")).to_have_count(0)  # no traceback, ever
            expect(page.get_by_text("The limits of every run")).to_have_count(0)
            shot = tmp_path / "app.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            keep = os.environ.get("PLANNER_SCREENSHOT_DIR")
            if keep:
                Path(keep).mkdir(parents=True, exist_ok=True)
                shutil.copy(shot, Path(keep) / "app.png")
        finally:
            browser.close()


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_two_sessions_see_only_their_own_uploads(server: str, tmp_path: Path) -> None:
    chromium = _chromium()
    from playwright.sync_api import expect, sync_playwright

    from planner.samples import sample_path

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            pages = []
            for key in ("c", "d"):
                page = browser.new_context().new_page()
                page.goto(server, wait_until="domcontentloaded")
                expect(page.get_by_text("电动汽车自用充电桩规划")).to_be_visible(timeout=60_000)
                page.get_by_test_id("stSidebarUserContent").get_by_text("上传", exact=True).click()
                sidebar = page.get_by_test_id("stSidebarUserContent")
                sidebar.locator('input[type="file"]').first.set_input_files(str(sample_path(key)))
                pages.append(page)
            expect(pages[0].get_by_text("黄河家园地下车库").first).to_be_visible(timeout=30_000)
            expect(pages[1].get_by_text("滨河小区地下车库").first).to_be_visible(timeout=30_000)
            pages[0].reload()
            expect(pages[0].get_by_text("和平小区地下车库").first).to_be_visible(timeout=30_000)
            expect(pages[1].get_by_text("黄河家园")).to_have_count(0)
        finally:
            browser.close()


def test_memory_stays_flat_over_rapid_changes(server_process: tuple[str, int]) -> None:
    """After 20 rapid parameter changes the server's RSS is within 100 MB of its RSS after
    3 (figures go to bench/RESULTS.md through PLANNER_RSS_REPORT)."""
    chromium = _chromium()
    from playwright.sync_api import expect, sync_playwright

    url, pid = server_process
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(url, wait_until="domcontentloaded")
            metric = page.locator('[data-testid="stMetric"]').filter(has_text="容量不足待排队")
            expect(metric).to_contain_text("4", timeout=60_000)
            box = page.get_by_test_id("stSidebarUserContent").get_by_text(
                "智能有序充电", exact=True
            )
            rss = {}
            for n in range(1, 21):
                box.click()
                expect(metric).to_contain_text("0" if n % 2 else "4", timeout=30_000)
                if n in (3, 20):
                    rss[n] = _rss_mb(pid)
        finally:
            browser.close()
    growth = rss[20] - rss[3]
    report = os.environ.get("PLANNER_RSS_REPORT")
    if report:
        Path(report).write_text(json.dumps({"after_3_mb": rss[3], "after_20_mb": rss[20]}))
    assert growth < 100, rss


def _shot(page: object, tmp_path: Path, name: str) -> None:
    """A screenshot of one step, kept in PLANNER_SCREENSHOT_DIR when it is set."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    keep = os.environ.get("PLANNER_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)


@pytest.mark.realdata
def test_a_dwg_is_uploaded_completed_saved_and_shown_in_english(
    server: str, tmp_path: Path, realdata: Path
) -> None:
    """Issue 14 item 9 in part: a real DWG upload shows what it lacks, the project saves,
    and the desk switches language; a screenshot of each step."""
    chromium = _chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(server, wait_until="domcontentloaded")
            expect(page.get_by_text("电动汽车自用充电桩规划")).to_be_visible(timeout=60_000)
            sidebar = page.get_by_test_id("stSidebarUserContent")
            sidebar.get_by_text("上传", exact=True).click()
            sidebar.locator('input[type="file"]').first.set_input_files(
                str(realdata / "dwg/banpo/banpo-zumen.dwg")
            )
            expect(page.get_by_text("banpo-zumen.dwg").first).to_be_visible(timeout=60_000)
            expect(page.get_by_text("五项消防设施").first).to_be_visible()
            expect(page.get_by_test_id("stException")).to_have_count(0)
            page.get_by_text("五项消防设施").first.scroll_into_view_if_needed()
            page.wait_for_timeout(1500)  # the chart draws last
            _shot(page, tmp_path, "dwg-uploaded")
            page.get_by_text("下载", exact=True).click()
            with page.expect_download() as info:
                page.get_by_text("项目文件 project.geojson").click()
            saved = tmp_path / "project.geojson"
            info.value.save_as(saved)
            doc = json.loads(saved.read_text(encoding="utf-8"))
            assert sum(f["properties"]["kind"] == "space" for f in doc["features"]) == 53
            sidebar.get_by_text("English", exact=True).click()
            expect(page.get_by_text("EV charger planning")).to_be_visible(timeout=30_000)
            expect(page.get_by_text("Complete the site").first).to_be_visible()
            expect(sidebar.get_by_text("Managed charging")).to_be_visible()
            page.wait_for_timeout(1500)
            _shot(page, tmp_path, "english")
        finally:
            browser.close()
