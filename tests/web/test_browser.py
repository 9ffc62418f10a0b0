"""Each page driven in a real browser (Debian's chromium, through Playwright) as a user would:
typing, reading, opening a step, copying LaTeX, uploading, checking, grading; by keyboard.

CI installs chromium and Playwright (.ci/web-deps), so these run there; on a machine without
them they are skipped with the reason. Set CALCGRAD_SCREENSHOTS=folder to keep a screenshot of
every page at a laptop (1280×800) and a phone (390×844) width.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from calcgrad.web.app import create_app

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SIZES = {"laptop": (1280, 800), "phone": (390, 844)}


def _needs(what: str) -> None:
    """Skip where the browser is not installed, but fail on CI, which must run these."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing on CI: .ci/web-deps installs it")
    pytest.skip(f"{what} is not installed (bash .ci/web-deps installs it)")


@pytest.fixture(scope="module")
def server() -> str:
    """calcgrad's app under uvicorn on a free loopback port, for the module's tests."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium, driven by Playwright."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        _needs("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _needs("playwright")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class Page:
    """A browser tab that records console errors and uncaught exceptions."""

    def __init__(self, browser, server: str, size: str = "laptop"):
        width, height = SIZES[size]
        self.context = browser.new_context(viewport={"width": width, "height": height},
                                           permissions=["clipboard-read", "clipboard-write"])
        self.tab = self.context.new_page()
        self.server = server
        self.size = size
        self.errors: list[str] = []
        self.tab.on("console", lambda message: self.errors.append(message.text)
                    if message.type == "error" else None)
        self.tab.on("pageerror", lambda error: self.errors.append(str(error)))
        self.tab.on("dialog", lambda dialog: self.errors.append(f"a dialog opened: {dialog.message}"))

    def open(self, path: str) -> None:
        """Load a page and wait until its autofocus field has the focus, as a user waits for the
        cursor before typing (on a loaded machine typing could otherwise start too early)."""
        self.tab.goto(self.server + path)
        self.tab.wait_for_function("() => !document.querySelector('[autofocus]') || "
                                   "document.activeElement === document.querySelector('[autofocus]')")

    def screenshot(self, name: str) -> None:
        folder = os.environ.get("CALCGRAD_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.tab.screenshot(path=str(Path(folder) / f"{name}-{self.size}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def page(browser, server):
    tab = Page(browser, server)
    yield tab
    tab.close()
    assert [] == tab.errors


def test_derivative_page_by_keyboard(page: Page) -> None:
    """Type an expression, see its reading (and a fault's caret), submit with Enter, read the
    result and the steps, open a step with the keyboard, copy the LaTeX."""
    tab = page.tab
    page.open("/")
    tab.keyboard.type("x^2 +* sin x")  # the expression field has the focus on arrival
    error = tab.locator("#reading.bad")
    error.wait_for()
    assert "cannot read the input: two operators in a row: '+' and '*' (column 6)" in error.inner_text()
    assert "x^2 +* sin x\n     ^" == tab.locator("#reading pre.caret").inner_text()
    for _ in range(len(" +* sin x")):
        tab.keyboard.press("Backspace")
    tab.keyboard.type(" sin x")
    tab.locator("#reading .reading-text").wait_for()
    assert "x²·sin(x)" == tab.locator("#reading .reading-text").inner_text()
    assert 1 == tab.locator("#reading math").count()
    tab.keyboard.press("Tab")            # to "with respect to"
    tab.keyboard.press("Tab")            # to the order
    tab.keyboard.press("Tab")            # to "value at"
    tab.keyboard.type("1")
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/?expression=*")
    assert "Result: x*(x*cos(x) + 2*sin(x))" == tab.locator("p.plain-result").inner_text()
    assert tab.locator("section.result math").count() > 5
    assert "cos(1) + 2*sin(1)" in tab.locator("p.value").inner_text()
    power = tab.locator("summary", has_text="Power rule")
    power.focus()
    explanation = tab.locator("details:has(> summary:has-text('Power rule')) .explanation")
    assert not explanation.is_visible()
    tab.keyboard.press("Enter")
    assert explanation.is_visible()
    assert "bring down the exponent 2 and lower it by 1 to 1" == explanation.text_content()
    tab.locator("button", has_text="Copy LaTeX").focus()
    tab.keyboard.press("Enter")
    tab.locator(".copied", has_text="LaTeX copied").wait_for()
    copied = tab.evaluate("navigator.clipboard.readText()")
    assert copied == tab.locator("#latex-source").input_value()
    assert "\\frac{d}{dx}" in copied
    assert tab.locator("figure.picture img").is_visible()
    page.screenshot("derivative")


def test_gradient_page_hessian_by_keyboard(page: Page) -> None:
    """Choose the Hessian with the arrow keys, type, submit, read the classification."""
    tab = page.tab
    page.open("/gradient")
    tab.locator("#expression").fill("x^3 - 3x + y^2")
    tab.locator("input[value=gradient]").focus()
    tab.keyboard.press("ArrowRight")
    tab.keyboard.press("ArrowRight")
    assert tab.locator("input[value=hessian]").is_checked()
    tab.locator("#at").fill("x=1,y=0")
    tab.locator("#at").press("Enter")
    tab.wait_for_url("**/gradient?*")
    assert ("minimum: ∇f = 0 and the Hessian is positive definite (every leading minor is "
            "positive): a local minimum") == tab.locator("p.classification").inner_text()
    assert tab.locator("section.result math mtable").count() >= 1
    page.screenshot("hessian")
    page.open("/gradient?expression=x%5E2y+%2B+sin(xy)&at=x%3D1,y%3D2")
    assert ["∂f/∂x", "∂f/∂y"] == tab.locator("section.result h3").all_inner_texts()
    page.screenshot("gradient")


def test_descent_page(page: Page) -> None:
    """Descend from a start point: the trace table and the path picture appear."""
    tab = page.tab
    page.open("/descent")
    tab.locator("#expression").fill("x^2 + 3y^2")
    tab.locator("#start").fill("x=1,y=2")
    tab.locator("#lr").fill("0.1")
    tab.locator("#iterations").fill("20")
    tab.locator("#lr").press("Enter")
    tab.wait_for_url("**/descent?*")
    assert 21 == tab.locator("table.trace tbody tr").count()
    assert ["0", "1", "2", "13", "12.2"] == tab.locator("table.trace tbody tr").first.locator("td").all_inner_texts()
    assert tab.locator("figure.picture img").is_visible()
    page.screenshot("descent")


def test_network_page_chain_and_spec_upload(page: Page) -> None:
    """The symbolic chain from the form, then a spec uploaded and walked through."""
    tab = page.tab
    page.open("/network")
    tab.locator("#layers").fill("2")
    tab.locator("#layers").press("Enter")
    tab.wait_for_url("**/network?*")
    chains = tab.locator("ul.chains li").all_inner_texts()
    assert 4 == len(chains)
    assert tab.locator("ul.definitions math").count() >= 5
    page.screenshot("network-chain")
    tab.locator("#spec").set_input_files(str(EXAMPLES / "network_2_3_1.json"))
    tab.locator("button", has_text="Walk through").click()
    tab.locator("h2", has_text="Walkthrough of network_2_3_1.json").wait_for()
    assert tab.locator("figure.picture img").is_visible()
    assert "Backward pass" in tab.locator("pre.plain").inner_text() or "δ" in tab.locator("pre.plain").inner_text()
    page.screenshot("network-walkthrough")


def test_check_page(page: Page) -> None:
    """Check a wrong answer: the verdict, the named mistake, the feedback and the reading."""
    tab = page.tab
    page.open("/check")
    tab.keyboard.type("cos(3x)")
    tab.keyboard.press("Tab")
    tab.keyboard.type("-sin(3x)")
    tab.locator("#answer-reading .reading-text", has_text="−sin(3x)").wait_for()
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/check?*")
    assert "Incorrect" == tab.locator("p.verdict").inner_text()
    assert "missing_chain_factor" in tab.locator("p.mistake").inner_text()
    assert "Step 1, chain rule on cos(3x): the inner derivative 3 is missing." in tab.locator("ul.feedback").inner_text()
    page.screenshot("check")


def test_grade_page_upload_and_download(page: Page) -> None:
    """Upload the answers and the key, read the report, download the gradebook."""
    tab = page.tab
    page.open("/grade")
    tab.locator("#submissions").set_input_files(str(EXAMPLES / "submissions.csv"))
    tab.locator("#key").set_input_files(str(EXAMPLES / "key.toml"))
    tab.locator("button", has_text="Grade").click()
    tab.locator("h2", has_text="Report for submissions.csv").wait_for()
    rows = tab.locator("table.rows tbody tr")
    assert rows.count() == (EXAMPLES / "submissions.csv").read_text().strip().count("\n")
    with tab.expect_download() as download:
        tab.locator("a", has_text="Download the gradebook (CSV)").click()
    assert "gradebook.csv" == download.value.suggested_filename
    assert Path(download.value.path()).read_text().startswith("student,")
    page.screenshot("grade")


@pytest.mark.parametrize("path", ["/?expression=%3Cscript%3Ealert(1)%3C/script%3E",
                                  "/?expression=%22onmouseover%3Dalert(1)+x%3D%22",
                                  "/check?of=x&answer=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E"])
def test_hostile_text_runs_nothing(page: Page, path: str) -> None:
    """Script tags and attribute breakers typed by a user are shown, never run (no dialog)."""
    page.open(path)
    page.tab.locator("#expression, #answer").first.hover()
    page.tab.wait_for_timeout(300)
    assert [] == page.errors


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_pages_fit_the_screen(browser, server, size: str) -> None:
    """At a laptop and at a phone width no page scrolls sideways (wide math scrolls in its box)."""
    tab = Page(browser, server, size)
    for path, name in [("/?expression=x%5E2+sin+x&at=1", "derivative"),
                       ("/gradient?kind=hessian&expression=x%5E3-3x%2By%5E2&at=x%3D1,y%3D0&entry=1,1", "hessian"),
                       ("/descent?expression=x%5E2%2B3y%5E2&start=x%3D1,y%3D2&lr=0.1&iterations=10", "descent"),
                       ("/network?layers=3", "network"), ("/check?of=x%5E3+sin+x&answer=3x%5E2+cos+x", "check"),
                       ("/grade", "grade")]:
        tab.open(path)
        overflow = tab.tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert 0 == overflow, f"{name} at the {size} width scrolls sideways by {overflow}px"
        tab.screenshot(f"{name}-fit")
    tab.close()
    assert [] == tab.errors
