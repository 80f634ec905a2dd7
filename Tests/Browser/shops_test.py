"""The Shops page in a real browser (Debian's Chromium driven by Playwright), against `printfarm demo`.

Run by Tests/FarmServerTests/BrowserTests.swift with BASE_URL, ADMIN_KEY, CHROMIUM and SCREENSHOTS. An owner connects
a Shopify shop on the page, the shop delivers a signed order whose SKU the catalog does not know, the order shows as
held, the owner maps the SKU on the page, and the order goes on to become an intent. Prints one line per check; exits
non-zero on the first failure.
"""
import base64
import hashlib
import hmac
import json
import os
import urllib.request
import uuid

from playwright.sync_api import expect, sync_playwright
# why: a page answers in well under a second on a quiet machine, but beside the whole suite and two CPU-bound
# processes on two cores a sign-in once took more than playwright's 5 s default: expectations wait up to 30 s.
expect.set_options(timeout=30_000)

from board_test import BASE, SHOTS, api, audit, check, column_stl, enrol_totp, sign_in, upload, user, wait_for

SECRET = "browser-shop-secret"
SKU = "PF-BROWSER-DRAGON"


def deliver(connection, order):
    """A Shopify orders/create delivery, signed as Shopify signs: base64 HMAC-SHA256 of the raw body."""
    body = json.dumps(order).encode()
    request = urllib.request.Request(BASE + f"/webhooks/shops/{connection}", method="POST", data=body)
    request.add_header("Content-Type", "application/json")
    request.add_header("X-Shopify-Topic", "orders/create")
    request.add_header("X-Shopify-Shop-Domain", "browser-shop.myshopify.com")
    request.add_header("X-Shopify-API-Version", "2026-07")
    request.add_header("X-Shopify-Webhook-Id", str(uuid.uuid4()))
    request.add_header("X-Shopify-Event-Id", str(uuid.uuid4()))
    request.add_header("X-Shopify-Hmac-Sha256", base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode())
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def main():
    user("sofia", "owner")
    secret = enrol_totp("sofia")
    model = upload("browser-dragon.stl", column_stl(20, 30))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ["CHROMIUM"], args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, "sofia", secret)
        page.get_by_role("link", name="Shops").click()
        expect(page.get_by_role("heading", name="Shops", exact=True)).to_be_visible()
        check(True, "the Shops page is in the main navigation")

        form = page.locator("form.connect")
        form.get_by_label("Platform").select_option("shopify")
        form.get_by_label("Name").fill("Browser shop")
        form.get_by_label("Shop address").fill("https://browser-shop.myshopify.com")
        form.get_by_label("Webhook secret").fill(SECRET)
        form.get_by_role("button", name="Connect").click()
        row = page.locator("tr", has_text="Browser shop")
        expect(row).to_be_visible(timeout=15_000)
        webhook = row.locator("code").inner_text()
        check(webhook.startswith("/webhooks/shops/"), f"the shop is connected and its webhook address is shown ({webhook})")
        check(SECRET not in page.content(), "the secret is not shown again")
        connection = webhook.rsplit("/", 1)[1]

        order = {"id": 820982911946154999, "name": "#2001", "created_at": "2026-12-05T09:00:00Z", "updated_at": "2026-12-05T09:00:00Z",
                 "financial_status": "paid", "cancelled_at": None, "currency": "EUR", "note": None,
                 "customer": {"first_name": "Ada", "last_name": "Lovelace"},
                 "line_items": [{"id": 487817672276298999, "sku": SKU, "title": "Dragon", "quantity": 1, "requires_shipping": True,
                                 "gift_card": False, "properties": [{"name": "Colour", "value": "Galaxy Black"}]}]}
        check(deliver(connection, order) == 200, "the shop's signed delivery is taken (200)")

        def held_shown():
            page.reload()
            return page.locator("article.held", has_text="#2001").count() > 0
        wait_for("the order shows as held on the Shops page", held_shown, seconds=60)
        held = page.locator("article.held", has_text="#2001")
        expect(held).to_contain_text(f"SKU {SKU} is not in the catalog")
        check(True, "the held order says which SKU is missing")
        page.screenshot(path=os.path.join(SHOTS, "shops.png"), full_page=True)
        audit(page, "shops")

        mapping = held.locator("form", has=page.get_by_role("button", name=f"Map {SKU}"))
        mapping.get_by_label("Model").select_option(model)
        mapping.get_by_label("Material").fill("PETG")
        mapping.get_by_label("Colour").fill("Galaxy Black")
        mapping.get_by_role("button", name=f"Map {SKU}").click()
        expect(page.locator("article.held", has_text="#2001")).to_have_count(0, timeout=15_000)
        expect(page.locator("td code", has_text=SKU)).to_be_visible()
        check(True, "mapping the SKU on the page releases the held order and the catalog shows it")

        sales = api("GET", f"/api/v1/sales?connection={connection}")[1]["items"]
        check(len(sales) == 1 and sales[0]["status"] == "released", f"the sale is released ({[s['status'] for s in sales]})")
        intent = api("GET", "/api/v1/intents/" + sales[0]["intentID"])[1]
        item = intent["lineItems"][0]
        check(intent["source"] == "shopify" and item["modelArtifact"] == model and item["material"] == "PETG",
              f"the order became an intent with the mapped model and material ({intent['status']})")
        page.goto(BASE + "/orders/" + sales[0]["intentID"])
        expect(page.get_by_role("heading", name="#2001")).to_be_visible()
        check(True, "the order has its page")
        browser.close()
    print("all browser checks passed", flush=True)


if __name__ == "__main__":
    main()
