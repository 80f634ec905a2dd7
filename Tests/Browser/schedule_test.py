"""Scheduling in a real browser (Debian's Chromium driven by Playwright), against `printfarm demo` with one printer.

Run by Tests/FarmServerTests/BrowserTests.swift with BASE_URL, ADMIN_KEY, CHROMIUM and SCREENSHOTS. The printer is
recorded as holding PETG while the demo's orders are mostly PLA: the schedule asks a person to load PLA, the board
shows the task, an operator confirms it there, the printer holds PLA and prints on. The schedule page draws the plan
with a reason on every block (keyboard focus included) and passes the accessibility audit. Prints one line per
check; exits non-zero on the first failure.
"""
import os

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect, sync_playwright
# why: a page answers in well under a second on a quiet machine, but beside the whole suite and two CPU-bound
# processes on two cores a sign-in once took more than playwright's 5 s default: expectations wait up to 30 s.
expect.set_options(timeout=30_000)

from board_test import BASE, SHOTS, api, audit, check, enrol_totp, sign_in, user, wait_for


def main():
    user("otto", "operator")
    secret = enrol_totp("otto")
    status, printers = api("GET", "/api/v1/printers")
    check(status == 200 and len(printers["items"]) == 1, "the demo has one printer")
    printer = printers["items"][0]
    status, body = api("PUT", f"/api/v1/printers/{printer['id']}/material", {"material": "PETG", "colour": "black"})
    check(status == 200, f"the printer is recorded as holding PETG black ({status} {body})")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ["CHROMIUM"], args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, "otto", secret)

        # The demo's PLA orders need the printer changed over; the board asks for it once the printer is free.
        card = page.locator("li.card", has_text="Load PLA on " + printer["name"])
        expect(card).to_be_visible(timeout=240_000)
        title = card.locator(".title").first.inner_text()
        check(" before " in title, f"the board says what to do, where and by when ({title})")
        check(api("GET", f"/api/v1/printers/{printer['id']}")[1]["changeover"]["steps"] == ["load PLA"],
              "the printer carries the changeover task")
        runs_before = len(api("GET", "/api/v1/runs?limit=500")[1]["items"])
        page.screenshot(path=os.path.join(SHOTS, "board-changeover.png"), full_page=True)

        page.get_by_role("link", name="Schedule").click()
        expect(page.get_by_role("heading", name="Schedule", exact=True)).to_be_visible()
        waiting = page.locator("svg .changeover").first
        expect(waiting).to_be_visible()
        check("load PLA" in (waiting.get_attribute("aria-label") or ""), "the timeline shows the changeover asked for")
        block = page.locator("svg .print").first
        block.focus()
        label = block.get_attribute("aria-label") or ""
        check(printer["name"] + ":" in label and (" due " in label or "no due date" in label),
              f"a print block says where, when and why on focus ({label[:120]})")
        # why: the page swaps in a fresh timeline as the plan changes; under load one landed between focusing a block
        # and reading the focus, so the block is focused again until one holds it (a block never focusable fails).
        try:
            page.wait_for_function(
                "() => { const block = document.querySelector('svg .print'); if (block) block.focus(); "
                "return document.activeElement !== null && document.activeElement.classList.contains('print'); }",
                timeout=30_000)
            focused = True
        except PlaywrightTimeoutError:
            focused = False
        check(focused, "the block takes keyboard focus")
        page.screenshot(path=os.path.join(SHOTS, "schedule.png"), full_page=True)
        audit(page, "schedule")

        page.get_by_role("link", name="Today").click()
        card = page.locator("li.card", has_text="Load PLA on " + printer["name"])
        card.get_by_role("button", name="Confirm changeover done").click()
        expect(card).to_have_count(0, timeout=30_000)
        check(True, "the confirmed changeover leaves the board")
        loaded = api("GET", f"/api/v1/printers/{printer['id']}")[1]
        check(loaded["loadedMaterial"]["material"] == "PLA" and "changeover" not in loaded,
              f"the printer holds PLA now ({loaded.get('loadedMaterial')})")
        wait_for("the printer prints the PLA order after the changeover",
                 lambda: len(api("GET", "/api/v1/runs?limit=500")[1]["items"]) > runs_before, seconds=120)
        check(True, "a new run started on the printer")
        browser.close()
    print("all browser checks passed", flush=True)


if __name__ == "__main__":
    main()
