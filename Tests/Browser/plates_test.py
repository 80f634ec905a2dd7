"""The plate composer in a real browser (Debian's Chromium driven by Playwright), against `printfarm demo` in farm mode.

Run by Tests/FarmServerTests/BrowserTests.swift with BASE_URL, ADMIN_KEY, CHROMIUM and SCREENSHOTS. The demo's PLA
orders share one plate and its PETG order has its own; both gather parts (the bed is far from half full). An operator
opens Plates from the menu, sees each bed drawn with its parts, splits the PLA plate, then moves a part from one half
to the other; each change says where the plate now stands in the schedule, and the API shows the part moved. The page
passes the accessibility audit. Prints one line per check; exits non-zero on the first failure.
"""
import os

from playwright.sync_api import expect, sync_playwright
# why: a page answers in well under a second on a quiet machine, but beside the whole suite and two CPU-bound
# processes on two cores a sign-in once took more than playwright's 5 s default: expectations wait up to 30 s.
expect.set_options(timeout=30_000)

from board_test import BASE, SHOTS, api, audit, check, enrol_totp, sign_in, user, wait_for


def composing():
    status, body = api("GET", "/api/v1/plates?status=composing&limit=500")
    return body["items"] if status == 200 else []


def main():
    user("otto", "operator")
    secret = enrol_totp("otto")
    wait_for("the demo's PLA parts share a plate and the PETG part has its own",
             lambda: sorted(len(p["items"]) for p in composing()) == [1, 3], seconds=240)
    plates = composing()
    pla = next(p for p in plates if len(p["items"]) == 3)
    petg = next(p for p in plates if len(p["items"]) == 1)
    check(True, f"plates {pla['id'][-6:]} (3 plans) and {petg['id'][-6:]} (1 plan) gather parts")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ["CHROMIUM"], args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        sign_in(page, "otto", secret)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Plates").click()
        expect(page.get_by_role("heading", name="Plates", exact=True)).to_be_visible()
        card = page.locator(f"#plate-{pla['id']}")
        expect(card).to_be_visible()
        parts = card.locator("svg .part")
        check(parts.count() == sum(item["copies"] for item in pla["items"]),
              f"the PLA bed shows each of its {parts.count()} parts")
        label = card.locator("svg").get_attribute("aria-label") or ""
        check("on a 200 × 200 mm bed" in label, f"the bed says its size and what placed the parts ({label})")
        check("Waits" in card.inner_text(), "the plate says why it is not on the schedule yet")
        petg_card = page.locator(f"#plate-{petg['id']}")
        options = petg_card.locator("select option").all_inner_texts()
        check(options == ["a plate of its own"], f"the PETG part can move to no PLA plate ({options})")
        audit(page, "plates")

        card.get_by_role("button", name="Split in two").click()
        toast = page.locator("#toast")
        expect(toast).to_contain_text("plate", timeout=15_000)
        check(True, f"the split says what it did: {toast.inner_text()[:160]}")
        wait_for("the PLA plate is split in two", lambda: sorted(len(p["items"]) for p in composing()) == [1, 1, 2])
        halves = [p for p in composing() if p["id"] != petg["id"]]
        source = next(p for p in halves if len(p["items"]) == 1)
        target = next(p for p in halves if len(p["items"]) == 2)
        moving = source["items"][0]["planID"]

        page.reload()
        form = page.locator(f"#plate-{source['id']} form[data-post$='/move']").first
        form.get_by_label("Move to").select_option(target["id"])
        form.get_by_role("button", name="Move").click()
        expect(page.locator("#toast")).to_contain_text("plate", timeout=15_000)
        said = page.locator("#toast").inner_text()
        check(target["id"][-6:] in said and ("on time" in said or "waits" in said or "late" in said),
              f"the move says what it does to the schedule ({said[:200]})")
        wait_for("the part is on the other plate",
                 lambda: any(moving in [i["planID"] for i in p["items"]] and p["id"] == target["id"]
                             for p in composing()))
        status, moved_from = api("GET", f"/api/v1/plates/{source['id']}")
        check(moved_from["status"] == "discarded", "the emptied plate is discarded, nothing lost")
        page.reload()
        expect(page.locator(f"#plate-{target['id']} svg .part")).to_have_count(
            sum(i["copies"] for i in api("GET", f"/api/v1/plates/{target['id']}")[1]["items"]))
        page.screenshot(path=os.path.join(SHOTS, "plates.png"), full_page=True)
        browser.close()
    print("all browser checks passed", flush=True)


if __name__ == "__main__":
    main()
