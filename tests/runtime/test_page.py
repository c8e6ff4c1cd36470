"""The play page in a real headless Chromium (Playwright): frames, pointer and keys, truth, reboot, two tabs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from neuralcomputer.runtime.server import BackgroundServer, ServerSettings
from neuralcomputer.software.desktop import Desktop
from neuralcomputer.software.desktop.palette import NAVY, PALETTE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
pytestmark = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="needs the system Chromium (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def browser(model_dir):
    from playwright.sync_api import sync_playwright

    with BackgroundServer(ServerSettings(str(model_dir), choices=[])) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        browser.url = server.url
        yield browser
        browser.close()


def open_page(browser):
    page = browser.new_page()
    page.goto(browser.url)
    page.wait_for_function("Number(document.getElementById('screen').dataset.frames) >= 1")
    return page


def canvas(page, name: str = "screen") -> np.ndarray:
    """A canvas's pixels, (H, W, 3)."""
    data = page.evaluate(
        """name => { const c = document.getElementById(name);
        return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data); }""",
        name,
    )
    return np.array(data, np.uint8).reshape(128, 128, 4)[..., :3]


def step(page) -> int:
    return int(page.text_content("#step").split()[1])


def wait_step(page, n: int, at_least: bool = False) -> None:
    shown = "Number(document.getElementById('step').textContent.split(' ')[1])"
    page.wait_for_function(f"{shown} {'>=' if at_least else '==='} {n}")


def at(page, x: int, y: int) -> tuple[float, float]:
    """A screen pixel's centre in page coordinates."""
    box = page.locator("#screen").bounding_box()
    return box["x"] + (x + 0.5) * box["width"] / 128, box["y"] + (y + 0.5) * box["height"] / 128


def navy_row(pixels: np.ndarray) -> int:
    return int((pixels == PALETTE[NAVY]).all(axis=2).sum(axis=1).max())


def test_play_in_the_browser(browser):
    page = open_page(browser)
    boot = canvas(page)
    np.testing.assert_array_equal(boot, PALETTE[Desktop().reset(0)])  # the first frame is drawn, exactly
    assert page.locator(".truth").first.is_hidden()

    page.check("#truth")
    page.wait_for_function("!document.querySelector('.truth').hidden")
    assert navy_row(canvas(page, "real")) < 20
    page.mouse.dblclick(*at(page, *Desktop().icon_center("files")))
    page.wait_for_function(
        """() => { const c = document.getElementById('real'), d = c.getContext('2d').getImageData(0, 0, 128, 128).data;
        let best = 0;
        for (let y = 0; y < 128; y++) { let n = 0;
          for (let x = 0; x < 128; x++) { const i = 4 * (128 * y + x); if (d[i] === 0 && d[i + 1] === 0 && d[i + 2] === 128) n++; }
          best = Math.max(best, n); }
        return best > 40; }"""
    )  # the real software opened the Files window: a focused (navy) title bar
    assert not np.array_equal(canvas(page), boot)  # and the neural screen reacted

    steps, before = step(page), canvas(page)
    page.keyboard.type("ls")
    page.keyboard.press("Enter")
    wait_step(page, steps + 3, at_least=True)  # the double-click's last frames may still have been on their way
    assert not np.array_equal(canvas(page), before)
    assert page.text_content("#fps").endswith("frames/s")

    page.click("#reboot")
    wait_step(page, 0)
    np.testing.assert_array_equal(canvas(page), boot)
    page.close()


def test_two_tabs_are_two_machines(browser):
    first, second = open_page(browser), open_page(browser)
    first.focus("#screen")
    second.focus("#screen")
    for key in "abc":
        second.keyboard.press(key)
    wait_step(second, 3)
    assert step(first) == 0
    for key in "vwxyz":
        first.keyboard.press(key)
    wait_step(first, 5)
    assert step(second) == 3
    assert not np.array_equal(canvas(first), canvas(second))
    first.close()
    second.close()


def test_a_game_runs_on_its_clock_with_the_keys_held(browser, game_model_dir):
    """DOOM's time passes without input; keys held on the page are held in the steps sent at each tick."""
    with BackgroundServer(ServerSettings(str(game_model_dir), choices=[])) as server:
        page = browser.new_page()
        page.goto(server.url)
        page.wait_for_function("document.getElementById('clock').textContent.startsWith('game clock 8.75 steps/s')")
        wait_step(page, 3, at_least=True)  # no input at all
        page.focus("#screen")
        page.keyboard.down("ArrowUp")
        page.keyboard.down("Control")
        wait_step(page, step(page) + 3, at_least=True)
        page.keyboard.up("ArrowUp")
        wait_step(page, step(page) + 3, at_least=True)
        page.keyboard.up("Control")
        downloads = []
        page.on("download", lambda download: downloads.append(download))
        page.click("#record")  # downloads the action log and the video
        for _ in range(100):
            if len(downloads) == 2:
                break
            page.wait_for_timeout(50)  # lets Playwright deliver its events
        [log] = [d for d in downloads if d.suggested_filename.endswith(".jsonl")]
        holds = [json.loads(line).get("hold", []) for line in Path(log.path()).read_text().splitlines()]
        assert holds[0] == [] and ["Up", "Ctrl"] in holds
        assert holds.index(["Ctrl"]) > holds.index(["Up", "Ctrl"])
        page.close()
