"""The page in a real browser (Debian's Chromium, headless, driven by Playwright).

An agent logs in, opens the oldest ticket from the keyboard, claims it, replies (the reply arrives
at a real SMTP server) and closes it; a manager sees the dashboard chart; a hostile mail stays inert.
Screenshots go to test-artifacts/ at the repository root.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn

from intake.context import Context
from intake.web import create_app
from tests.conftest import REPO
from tests.web.conftest import PASSWORD, add_team, age_ticket, file_mails, three_citizens
from tests.web.test_sanitize import hostile_mail

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium"
)


class LiveServer:
    """The app under uvicorn in a thread, on a port the OS picks."""

    def __init__(self, ctx: Context) -> None:
        config = uvicorn.Config(
            create_app(ctx), host="127.0.0.1", port=0, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the web server did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator:  # type: ignore[type-arg]
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def live(tmp_path, make_context, smtp_server) -> Iterator[tuple[Context, str]]:  # type: ignore[no-untyped-def]
    ctx = make_context(
        f"sqlite:///{tmp_path / 'browser.db'}", web_cookie_secure=False, **smtp_server.settings()
    )
    add_team(ctx)
    with LiveServer(ctx) as base_url:
        yield ctx, base_url


def open_page(browser, base_url: str, **context_options):  # type: ignore[no-untyped-def]
    """A page that records what a test must never see: CSP violations, script errors, dialogs,
    and requests leaving this machine."""
    page = browser.new_context(**context_options).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.problems = []  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda m: (
            page.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
        ),
    )
    page.on("pageerror", lambda e: page.problems.append(f"script error: {e}"))
    page.on("dialog", lambda d: (page.problems.append(f"dialog: {d.message}"), d.dismiss()))
    own_host = urlsplit(base_url).hostname
    page.on(
        "request",
        lambda r: (
            page.problems.append(f"remote request: {r.url}")
            if urlsplit(r.url).hostname not in (own_host, None) and not r.url.startswith("data:")
            else None
        ),
    )
    return page


def log_in(page, base_url: str, username: str, target: str = "/tickets") -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + target)
    page.wait_for_url("**/login?next=*")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"**{target}")


def test_an_agent_answers_and_closes_the_oldest_ticket(live, browser, smtp_server) -> None:  # type: ignore[no-untyped-def]
    ctx, base_url = live
    # Given three waiting tickets, the English one the oldest
    amina, oleh, marie = file_mails(ctx, *three_citizens())
    age_ticket(ctx, amina, 1)
    age_ticket(ctx, oleh, 6)
    age_ticket(ctx, marie, 3)
    acknowledgements = len(smtp_server.messages)
    page = open_page(browser, base_url, viewport={"width": 1366, "height": 850})

    # When the agent logs in, the list starts with the oldest waiting ticket
    log_in(page, base_url, "agent")
    first_row = page.locator("tbody tr").first
    reference = first_row.get_attribute("data-ticket")
    with ctx.db.session() as session:
        from intake.store.models import Ticket

        assert reference == session.get(Ticket, oleh).reference  # type: ignore[union-attr]
    page.screenshot(path=str(ARTIFACTS / "01-queue-list.png"), full_page=True)

    # She opens it from the keyboard and claims it
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/tickets/{oleh}")
    page.click("#claim")
    page.wait_for_selector("text=U hebt het ticket genomen.")
    assert page.inner_text("#assignee") == "Anna Agent"

    # She edits the prefilled reply (in the citizen's English) and sends it
    prefilled = page.input_value("#reply-text")
    assert prefilled.startswith("Dear Oleh Test")
    page.fill(
        "#reply-text",
        prefilled.replace("\n\n\n\n", "\n\nPlease report the loss at the police first.\n\n", 1),
    )
    page.select_option("select[name=then_status]", "open")
    page.screenshot(path=str(ARTIFACTS / "02-ticket-reply.png"), full_page=True)
    page.click("#send-reply")
    page.wait_for_selector("text=Antwoord verstuurd.")

    # Then the reply arrives at the SMTP server
    deadline = time.monotonic() + 10
    while len(smtp_server.messages) <= acknowledgements and time.monotonic() < deadline:
        time.sleep(0.05)
    reply = smtp_server.messages[-1]
    assert reply.rcpt_tos == ["oleh@example.org"]
    assert (
        "Please report the loss at the police first."
        in reply.message.get_body(("plain",)).get_content()
    )
    assert reference in reply.message["Subject"]

    # And she closes the ticket
    page.select_option("#status-select", "closed")
    page.click("#set-status")
    page.wait_for_selector("text=Status gewijzigd.")
    assert page.inner_text("#ticket-status") == "Gesloten"
    page.screenshot(path=str(ARTIFACTS / "03-ticket-closed.png"), full_page=True)
    assert page.problems == []  # type: ignore[attr-defined]


def test_a_manager_sees_the_dashboard_chart(live, browser) -> None:  # type: ignore[no-untyped-def]
    ctx, base_url = live
    for n, ticket_id in enumerate(file_mails(ctx, *three_citizens())):
        age_ticket(ctx, ticket_id, 2 + 5 * n)
    page = open_page(browser, base_url, viewport={"width": 1366, "height": 900})
    log_in(page, base_url, "manager", "/dashboard")
    chart = page.locator("#flow-chart svg.chart")
    chart.wait_for(state="visible")
    assert chart.locator("rect.bar").count() == 56
    box = chart.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 150
    assert page.inner_text("#kpi-waiting") == "3"
    page.screenshot(path=str(ARTIFACTS / "04-dashboard.png"), full_page=True)
    # The same page on a phone: nothing wider than the screen.
    phone = open_page(browser, base_url, viewport={"width": 390, "height": 844}, is_mobile=True)
    log_in(phone, base_url, "manager", "/dashboard")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    phone.screenshot(path=str(ARTIFACTS / "05-dashboard-phone.png"), full_page=True)
    phone.goto(base_url + "/tickets")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(ARTIFACTS / "06-list-phone.png"), full_page=True)
    assert page.problems == [] and phone.problems == []  # type: ignore[attr-defined]


def test_a_hostile_mail_stays_inert_in_the_browser(live, browser) -> None:  # type: ignore[no-untyped-def]
    ctx, base_url = live
    [ticket_id] = file_mails(ctx, hostile_mail())
    page = open_page(browser, base_url, viewport={"width": 1366, "height": 900})
    log_in(page, base_url, "agent")
    page.goto(f"{base_url}/tickets/{ticket_id}")
    page.wait_for_selector(".mail-html")
    page.wait_for_timeout(500)  # give any handler that slipped through its chance to fire
    assert page.title().startswith("GNT-")  # the mail's script did not rename the page
    assert (
        page.locator(
            ".mail-html script, .mail-html iframe, .mail-html form, .mail-html svg"
        ).count()
        == 0
    )
    assert page.locator(".mail-html img").count() == 0
    page.screenshot(path=str(ARTIFACTS / "07-hostile-mail.png"), full_page=True)
    assert page.problems == []  # type: ignore[attr-defined]
