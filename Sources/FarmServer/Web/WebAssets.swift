import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// The web UI's stylesheet and script, served by the app itself: no build step, no CDN, works on a farm's LAN
/// without the internet. Public (the sign-in page needs them); they hold no data.
enum WebAssets {
    struct Asset: Sendable {
        let body: String
        let contentType: String
        let etag: String

        init(_ body: String, contentType: String) {
            self.body = body
            self.contentType = contentType
            etag =
                "\"" + SHA256.hash(data: Data(body.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined() + "\""
        }

        func response(for request: Request) -> Response {
            if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: [.eTag: etag]) }
            return Response(
                status: .ok,
                headers: [
                    .contentType: contentType, .eTag: etag, .cacheControl: "no-cache",
                    .init("X-Content-Type-Options")!: "nosniff",
                ],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    static let css = Asset(stylesheet, contentType: "text/css; charset=utf-8")
    static let js = Asset(script, contentType: "text/javascript; charset=utf-8")

    static let stylesheet = """
        :root { --bg: #f4f5f7; --panel: #fff; --ink: #1b1f24; --muted: #4a5260; --line: #cfd4dc; --accent: #0b5cad;
          --danger: #a61b1b; --warn: #8a5a00; --ok: #17663a; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--ink); font-size: 15px; line-height: 1.4; }
        a { color: var(--accent); }
        :focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
        .top { display: flex; gap: 1rem; align-items: center; padding: .5rem 1rem; background: #1b2a3a; color: #fff; flex-wrap: wrap; }
        .top a, .top .brand { color: #fff; text-decoration: none; font-weight: 600; }
        .top nav { display: flex; gap: .9rem; }
        .top nav a { font-weight: 400; }
        .top nav a[aria-current] { text-decoration: underline; }
        .who { margin-left: auto; }
        .connection {  font-size: .85rem; padding: .1rem .5rem; border-radius: 1rem; background: #33475c; }
        .connection.live { background: var(--ok); }
        .connection.lost { background: var(--danger); }
        .who .role { opacity: .8; font-size: .85rem; }
        button { font: inherit; padding: .35rem .8rem; border-radius: .3rem; border: 1px solid var(--line); background: #fff; color: var(--ink); cursor: pointer; min-height: 2.2rem; }
        button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        button.danger { color: var(--danger); border-color: var(--danger); }
        button.quiet { background: transparent; color: inherit; border-color: #6d7b8a; }
        button[disabled] { opacity: .6; cursor: progress; }
        main { padding: 1rem; }
        .panel { background: var(--panel); max-width: 28rem; margin: 2rem auto; padding: 1.5rem; border-radius: .5rem; border: 1px solid var(--line); }
        .sign-in form { display: grid; gap: .4rem; }
        .sign-in input { font: inherit; padding: .45rem; border: 1px solid #8a94a3; border-radius: .3rem; }
        .sign-in button { margin-top: .8rem; }
        .error { color: var(--danger); font-weight: 600; }
        .notice { background: #fff4d6; padding: .5rem; border-radius: .3rem; }
        .board-head { display: flex; align-items: baseline; gap: 1rem; }
        .board-head h1 { margin: 0 0 .5rem; font-size: 1.3rem; }
        .board { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: .8rem; align-items: start; }
        @media (max-width: 1100px) { .board { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
        @media (max-width: 640px) { .board { grid-template-columns: 1fr; } }
        .lane { background: #e6e9ee; border-radius: .5rem; padding: .5rem; min-height: 6rem; }
        .lane h2 { font-size: 1rem; margin: .2rem .3rem .5rem; display: flex; justify-content: space-between; }
        .lane-attention h2 { color: var(--danger); }
        .lane-atRisk h2 { color: var(--warn); }
        .count { background: #fff; border-radius: 1rem; padding: 0 .5rem; color: var(--ink); }
        .lane ul { list-style: none; margin: 0; padding: 0; display: grid; gap: .5rem; }
        .card { background: var(--panel); border-radius: .4rem; padding: .55rem .65rem; border-left: 4px solid var(--line); }
        .lane-attention .card { border-left-color: var(--danger); }
        .lane-atRisk .card { border-left-color: var(--warn); }
        .lane-running .card { border-left-color: var(--accent); }
        .lane-qa .card { border-left-color: var(--ok); }
        .card-head { display: flex; flex-wrap: wrap; gap: .35rem; align-items: center; }
        .why { margin: .25rem 0; color: var(--muted); }
        .empty { color: var(--muted); padding: .3rem; }
        .badge { font-size: .75rem; padding: .05rem .45rem; border-radius: 1rem; background: #dde3ea; }
        .badge-desynced, .badge-degraded, .badge-failed, .badge-error { background: #f8d7d7; color: var(--danger); font-weight: 600; }
        .badge-paused, .badge-approval, .badge-review-required, .badge-needs-review, .badge-bed-to-clear { background: #fdebc8; color: var(--warn); }
        progress { width: 100%; height: .6rem; }
        .actions { display: flex; flex-wrap: wrap; gap: .4rem; margin-top: .35rem; }
        .risk { position: relative; font-size: .75rem; font-weight: 700; padding: .05rem .45rem; border-radius: .3rem; cursor: help; }
        .risk-low { background: #d8f0e1; color: var(--ok); }
        .risk-medium { background: #fdebc8; color: var(--warn); }
        .risk-high { background: #f8d7d7; color: var(--danger); }
        .risk .explain { display: none; position: absolute; z-index: 5; top: 1.6rem; left: 0; width: 20rem; max-width: 80vw; background: #1b2a3a; color: #fff;
          font-weight: 400; padding: .5rem .7rem; border-radius: .4rem; font-size: .85rem; }
        .risk .explain ul { margin: 0; padding-left: 1rem; }
        .risk:hover .explain, .risk:focus .explain { display: block; }
        .toast { position: fixed; bottom: 1rem; left: 50%; transform: translateX(-50%); background: #1b2a3a; color: #fff; padding: .6rem 1rem;
          border-radius: .4rem; max-width: 90vw; z-index: 10; }
        .toast.bad { background: var(--danger); }
        .printer-grid { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .6rem; }
        .printer-tile { background: var(--panel); border-radius: .4rem; padding: .55rem .65rem; border-left: 4px solid var(--line); }
        .printer-tile p { margin: .2rem 0; }
        .printer-tile.status-busy, .badge.status-busy { border-left-color: var(--accent); }
        .printer-tile.status-error, .printer-tile.status-offline { border-left-color: var(--danger); }
        .printer-tile.status-maintenance { border-left-color: var(--warn); }
        .badge.status-error, .badge.status-offline { background: #f8d7d7; color: var(--danger); }
        .badge.status-maintenance { background: #fdebc8; color: var(--warn); }
        .links { list-style: none; padding: 0; } .links li { margin: .35rem 0; }
        .crumbs { font-size: .9rem; margin-bottom: .4rem; }
        .page-head { display: flex; gap: .6rem; align-items: center; }
        .page-head h1 { font-size: 1.3rem; margin: .2rem 0; }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; background: var(--panel); padding: .8rem 1rem; border-radius: .5rem; border: 1px solid var(--line); }
        .facts dt { color: var(--muted); }
        .facts dd { margin: 0; }
        .panel.wide { max-width: none; margin: 1rem 0; }
        .item { border-top: 1px solid var(--line); padding: .5rem 0; }
        .item h3 { font-size: 1rem; margin: .2rem 0; }
        .verdict.passed { color: var(--ok); font-weight: 600; }
        .verdict.failed { color: var(--danger); font-weight: 600; }
        .verdict.waiting { color: var(--warn); font-weight: 600; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
          white-space: nowrap; }
        form.inline { display: inline; }
        form.connect, form.ship { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr));
          gap: .6rem 1rem; align-items: end; }
        form.connect label, form.ship label, form.map label { display: grid; gap: .2rem; }
        form.connect p, form.ship p { grid-column: 1 / -1; margin: 0; }
        form.connect input, form.connect select, form.ship input, form.map input, form.map select {
          font: inherit; padding: .3rem; border: 1px solid #8a94a3; border-radius: .3rem; }
        form.map fieldset { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end;
          border: 1px solid var(--line); border-radius: .4rem; }
        form.map { margin: .4rem 0; }
        article.held { border-top: 1px solid var(--line); padding-top: .4rem; }
        form.qa fieldset { display: grid; gap: .35rem; max-width: 30rem; border: 1px solid var(--line); border-radius: .4rem; }
        form.qa select, form.qa textarea { font: inherit; padding: .35rem; border: 1px solid #8a94a3; border-radius: .3rem; }
        .timeline { padding-left: 1.2rem; }
        .evidence { display: flex; gap: .4rem; flex-wrap: wrap; }
        .evidence img { border-radius: .3rem; border: 1px solid var(--line); }
        .live-view { max-width: 100%; height: auto; border-radius: .3rem; border: 1px solid var(--line); }
        .gcode-preview img { height: auto; border-radius: .3rem; border: 1px solid var(--line); background: #f4f5f7; }
        .snapshots figure { margin: 0; }
        .snapshots figcaption { font-size: .85rem; color: var(--muted); }
        .attached img { vertical-align: middle; border-radius: .2rem; }
        .facts.plain { border: 0; padding: 0; }
        .schedule { margin: 1rem 0; background: var(--panel); border: 1px solid var(--line); border-radius: .5rem;
          padding: .5rem; overflow-x: auto; }
        .schedule svg { width: 100%; min-width: 40rem; height: auto; font-size: 11px; }
        .schedule .tick { stroke: var(--line); }
        .schedule .axis, .schedule .printer { fill: var(--muted); }
        .schedule svg rect { stroke: #fff; }
        .plate { display: grid; grid-template-columns: 18rem 1fr; gap: .5rem 1.5rem; align-items: start;
          max-width: 62rem; margin: 1rem 0; }
        .plate h2, .plate .plate-items, .plate .actions { grid-column: 1 / -1; margin: 0; }
        .plate .bed { margin: 0; }
        .plate .bed svg { width: 18rem; height: auto; font-size: 9px; }
        .plate .bed-outline { fill: #f6f8fa; stroke: #59636e; stroke-width: .8; }
        .plate .part rect { stroke: #1b2a3a; stroke-width: .6; }
        .plate .bed figcaption { font-size: .8rem; color: #59636e; }
        .plate-items form.inline { display: inline-flex; gap: .4rem; align-items: center; margin-left: .5rem; }
        .plate dd.late { color: var(--danger); font-weight: 600; }
        .schedule :is(g, a) > text { fill: #fff; pointer-events: none; }
        .schedule .print rect { fill: var(--accent); }
        .schedule .print.late rect { fill: var(--danger); }
        .schedule .print.rush rect { stroke: #f5a623; stroke-width: 2; }
        .schedule .changeover rect { fill: var(--warn); }
        .schedule .maintenance rect { fill: #6b7280; }
        .schedule .busy rect { fill: #9aa3af; }
        .schedule .due { stroke: var(--ink); stroke-width: 2; stroke-dasharray: 3 2; }
        .schedule .due.late { stroke: var(--danger); }
        .schedule :is(g, a):focus { outline: none; }
        .schedule :is(g, a):is(:focus, :hover) rect { stroke: #f5a623; stroke-width: 3; }
        .legend { color: var(--muted); font-size: .85rem; margin-top: .3rem; }
        .legend .key { display: inline-block; width: .9rem; height: .7rem; border-radius: 2px; vertical-align: middle;
          margin-left: .5rem; }
        .key.print { background: var(--accent); } .key.late { background: var(--danger); }
        .key.rush { border: 2px solid #f5a623; } .key.changeover { background: var(--warn); }
        .key.maintenance { background: #6b7280; } .key.due { border-left: 2px dashed var(--ink); }
        .health-good { color: var(--ok); }
        .health-fair { color: var(--warn); }
        .health-poor { color: var(--danger); font-weight: 600; }
        .temps { font-variant-numeric: tabular-nums; }
        .panel.wide h2 { margin-top: 0; }
        .timeline .reason { color: var(--muted); }
        .card .title a { color: inherit; }
        table.list, table.diff { border-collapse: collapse; width: 100%; background: var(--panel); }
        table.list th, table.list td, table.diff th, table.diff td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        table.list thead th, table.diff thead th { color: var(--muted); font-weight: 600; }
        table.diff { width: auto; margin: .4rem 0; }
        table.diff td.old { color: var(--danger); text-decoration: line-through; }
        table.diff td.new { color: var(--ok); font-weight: 600; }
        .tabs { display: flex; flex-wrap: wrap; gap: .3rem; margin: .5rem 0 .8rem; }
        .tabs a { padding: .2rem .6rem; border-radius: 1rem; background: #e6e9ee; text-decoration: none; color: var(--ink); }
        .tabs a[aria-current] { background: var(--accent); color: #fff; }
        .quiet { color: var(--muted); }
        .slack.tight { color: var(--warn); font-weight: 600; }
        .slack.late { color: var(--danger); font-weight: 700; }
        .intent-needsReview, .plan-draft, .plan-reviewRequired { background: #fdebc8; color: var(--warn); }
        .intent-rejected, .intent-cancelled, .preflight-fail { background: #f8d7d7; color: var(--danger); }
        .intent-shipped, .intent-readyToShip, .plan-approved, .preflight-pass { background: #d8f0e1; color: var(--ok); }
        .preflight-warn { background: #fdebc8; color: var(--warn); }
        .findings { margin: .2rem 0; }
        .finding-fail strong { color: var(--danger); }
        .finding-warn strong { color: var(--warn); }
        .revision { border-top: 1px solid var(--line); padding: .5rem 0; }
        .revision h3 { font-size: 1rem; margin: .2rem 0; display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
        .approval { background: #f3f7fc; border: 1px solid #b8cbe0; border-radius: .4rem; padding: .5rem .8rem; max-width: 48rem; }
        .approval h4 { margin: .2rem 0; }
        .decisions { padding-left: 1.2rem; }
        .decisions li { margin: .2rem 0; }
        body.wall { font-size: 20px; }
        body.wall .top nav, body.wall .who, body.wall #sign-out { display: none; }
        body.wall .actions { display: none; }
        """

    static let script = #"""
        "use strict";
        (() => {
          const csrf = document.querySelector('meta[name="csrf-token"]')?.content;
          const toast = document.getElementById("toast");
          let toastTimer;
          function say(text, bad) {
            if (!toast) return;
            toast.textContent = text;
            toast.classList.toggle("bad", !!bad);
            toast.hidden = false;
            clearTimeout(toastTimer);
            toastTimer = setTimeout(() => { toast.hidden = true; }, bad ? 8000 : Math.max(3000, text.length * 60));
          }
          async function problemText(response) {
            try { const p = await response.json(); return p.detail || p.title || response.statusText; } catch { return response.statusText || "the server did not answer"; }
          }
          // Set while signing out: a live part that finds the session gone meanwhile must not send the person to
          // "your session expired" instead.
          let signingOut = false;
          function toSignIn(expired) {
            if (signingOut) return;
            location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search) + (expired ? "&expired=1" : "");
          }
          // A change through the REST API as this page's person: the session's CSRF token, an idempotency key per
          // attempt, and the version the page showed, so a change to something that changed meanwhile is refused
          // (then `staleHint` tells what to do). Resolves to null when done, else the sentence to show.
          async function change(path, body, version, staleHint, method) {
            let response;
            const headers = {
              "Content-Type": "application/json", "X-CSRF-Token": csrf, "Idempotency-Key": crypto.randomUUID() };
            if (version) headers["If-Match"] = '"' + version + '"';
            try {
              response = await fetch(path, { method: method || "POST", headers, body: JSON.stringify(body) });
            } catch {
              return "The server cannot be reached; nothing was changed. Try again when the connection is back.";
            }
            // What the change did beyond itself (a plate moved: where it now stands in the schedule), when the answer
            // says so; the toast tells it.
            change.effect = null;
            if (response.ok) {
              try {
                const json = await response.json();
                if (typeof json?.effect === "string") change.effect = json.effect;
              } catch {}
              return null;
            }
            if (response.status === 401) { toSignIn(true); return "Your session has expired."; }
            if (response.status === 409 || response.status === 412) {
              return "This changed since the page showed it: " + await problemText(response) + " " + staleHint;
            }
            return await problemText(response);
          }

          const said = sessionStorage.getItem("toast");
          if (said) { sessionStorage.removeItem("toast"); say(said); }

          // Sign-in page.
          const form = document.getElementById("sign-in");
          if (form) {
            form.addEventListener("submit", async (event) => {
              event.preventDefault();
              const error = document.getElementById("sign-in-error");
              const button = form.querySelector("button[type=submit]");
              const body = { username: form.username.value.trim(), password: form.password.value, cookie: true };
              if (!body.username || !body.password) { error.textContent = "Enter your username and password."; error.hidden = false; return; }
              if (form.totp.value.trim()) body.totp = form.totp.value.trim();
              button.disabled = true;
              try {
                const response = await fetch("/api/v1/sessions", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
                if (response.ok) {
                  // Only a page of this server: the URL parser decides, as the browser will (it reads a backslash as a slash).
                  const target = new URL(form.dataset.next || "/", location.origin);
                  location.href = target.origin === location.origin ? target.pathname + target.search + target.hash : "/";
                  return;
                }
                let problem = {};
                try { problem = await response.json(); } catch {}
                if (problem.code === "totp-required") {
                  document.getElementById("totp-row").hidden = false;
                  form.totp.focus();
                  error.textContent = "Enter the code from your authenticator app.";
                } else {
                  error.textContent = problem.detail || "Sign-in failed.";
                }
                error.hidden = false;
              } catch {
                error.textContent = "The server cannot be reached. Check the connection and try again.";
                error.hidden = false;
              } finally {
                button.disabled = false;
              }
            });
          }

          // A camera with pictures only (no stream): a fresh one every data-refresh ms while the page is seen.
          document.querySelectorAll("img[data-refresh]").forEach((image) => {
            const source = image.src;
            setInterval(() => { if (!document.hidden) image.src = source + "?t=" + Date.now(); },
              Number(image.dataset.refresh));
          });

          document.getElementById("sign-out")?.addEventListener("click", async () => {
            signingOut = true;
            try { await fetch("/api/v1/sessions/current", { method: "DELETE", headers: { "X-CSRF-Token": csrf } }); } catch {}
            location.href = "/login";
          });

          // Live parts of a page (the board's lanes, the printers grid, a run's facts): an event about what the part
          // shows (data-subjects: stream prefixes; none means every event) schedules one refresh of it, fetched
          // from data-fragment; data-poll refreshes also on a timer (temperatures change without events).
          const live = document.querySelector("[data-fragment]");
          const connection = document.getElementById("connection");
          let refreshing = false, again = false, timer;
          async function refresh() {
            if (refreshing) { again = true; return; }
            refreshing = true;
            try {
              const response = await fetch(live.dataset.fragment, { headers: { Accept: "text/html" } });
              if (response.redirected && new URL(response.url).pathname === "/login") { toSignIn(true); return; }
              if (response.ok) {
                const html = await response.text();
                // A part that changed its kind (a run that completed gets a QA form) needs the whole page.
                const kind = /^\s*<!--kind:(\w+)-->/.exec(html);
                if (kind && live.dataset.kind && kind[1] !== live.dataset.kind) { location.reload(); return; }
                live.innerHTML = html;
                live.dataset.refreshed = String(Date.now());
              }
            } catch {
              // The event stream reports the lost connection.
            } finally {
              refreshing = false;
              if (again) { again = false; schedule(); }
            }
          }
          // One refresh pending at a time, not pushed back by later events (a busy farm sends events faster than any
          // pause between them: a debounce would never fire); a large part (a thousand printers) refreshes at most
          // once per data-min-interval ms.
          let lastRefresh = 0;
          function schedule() {
            if (timer) return;
            const gap = Number(live?.dataset.minInterval) || 0;
            timer = setTimeout(() => { timer = null; lastRefresh = Date.now(); refresh(); }, Math.max(150, lastRefresh + gap - Date.now()));
          }
          function setConnection(state, text) {
            if (!connection) return;
            connection.className = "connection " + state;
            connection.textContent = text;
            connection.hidden = false;
          }
          const subjects = (live?.dataset.subjects || "").split(" ").filter(Boolean);
          function concerns(message) {
            if (!subjects.length) return true;
            try {
              const subject = JSON.parse(message.data).subject || "";
              return subjects.some((prefix) => subject.startsWith(prefix));
            } catch {
              return true;
            }
          }
          if (live) {
            setConnection("", "connecting…");
            const events = new EventSource("/api/v1/events/stream?names=0");
            events.onopen = () => { setConnection("live", "live"); schedule(); };
            events.onmessage = (message) => { if (concerns(message)) schedule(); };
            events.onerror = () => {
              setConnection("lost", "connection lost, reconnecting…");
              // A stream refused for an expired session does not come back: check and go to sign-in.
              fetch(live.dataset.fragment).then(r => { if (r.redirected && new URL(r.url).pathname === "/login") toSignIn(true); }).catch(() => {});
            };
            const every = Number(live.dataset.poll);
            if (every >= 1000) setInterval(schedule, every);
          }

          // QA verdicts on a run's page: checked here for convenience, decided by the server.
          document.querySelectorAll("form.qa").forEach((qa) => {
            qa.addEventListener("submit", async (event) => {
              event.preventDefault();
              const error = qa.querySelector(".error");
              const button = qa.querySelector("button[type=submit]");
              const verdict = qa.querySelector("input[type=radio]:checked")?.value;
              const failure = qa.querySelector("select[name=failure]").value;
              const note = qa.querySelector("textarea[name=note]").value.trim();
              const show = (text) => { error.textContent = text; error.hidden = false; };
              if (!verdict) return show("Choose pass or fail.");
              if (verdict === "fail" && !failure) return show("Choose the reason for the failure.");
              if (verdict === "pass" && failure) return show("A pass has no failure reason; set the reason back to “choose…”.");
              const photos = Array.from(qa.querySelector("input[name=photos]")?.files || []);
              if (photos.length > 10) return show("At most 10 photos per item.");
              if (photos.some((photo) => !photo.type.startsWith("image/"))) return show("Photos only: " + photos.find((p) => !p.type.startsWith("image/")).name + " is not an image.");
              const item = { planID: qa.dataset.plan, passed: verdict === "pass" };
              if (failure) item.failure = failure;
              if (note) item.note = note;
              // The camera's pictures left attached are evidence already stored.
              const attached = Array.from(qa.querySelectorAll("input[name=snapshot]:checked")).map((box) => box.value);
              if (attached.length) item.evidence = attached;
              button.disabled = true;
              // Photos are stored first (as artifacts); the verdict names them as evidence.
              if (photos.length) {
                item.evidence = item.evidence || [];
                for (const photo of photos) {
                  try {
                    const response = await fetch("/api/v1/artifacts?name=" + encodeURIComponent(photo.name), {
                      method: "POST", headers: { "Content-Type": photo.type, "X-CSRF-Token": csrf }, body: photo });
                    if (!response.ok) { button.disabled = false; return show(photo.name + ": " + await problemText(response)); }
                    item.evidence.push((await response.json()).sha256);
                  } catch {
                    button.disabled = false;
                    return show("The server cannot be reached; nothing was recorded. Try again when the connection is back.");
                  }
                }
              }
              const problem = await change(
                "/api/v1/runs/" + qa.dataset.run + "/inspections", { items: [item] }, qa.dataset.version, "Reload to see it as it is.");
              button.disabled = false;
              if (problem === null) location.reload(); else show(problem);
            });
          });

          // Forms that send their fields as JSON (`data-post`, `data-method`): empty fields are left out, a dotted
          // name nests (`secrets.accessToken`), a checkbox is a boolean, a number field a number. The server decides.
          document.querySelectorAll("form[data-post]").forEach((form) => {
            form.addEventListener("submit", async (event) => {
              event.preventDefault();
              const error = form.querySelector(".error");
              const button = form.querySelector("button[type=submit]");
              const body = {};
              for (const field of form.querySelectorAll("input[name], select[name], textarea[name]")) {
                let value = field.type === "checkbox" ? field.checked : field.value.trim();
                if (value === "") continue;
                if (field.type === "number") value = Number(value);
                // The person's own clock: the API takes an instant with its offset.
                if (field.type === "datetime-local") value = new Date(value).toISOString();
                const path = field.name.split(".");
                let target = body;
                for (const key of path.slice(0, -1)) target = target[key] = target[key] || {};
                target[path[path.length - 1]] = value;
              }
              button.disabled = true;
              const problem = await change(
                form.dataset.post, body, form.dataset.version, "Reload to see it as it is.", form.dataset.method);
              button.disabled = false;
              if (problem === null) {
                const done = change.effect || (form.dataset.done || button.textContent.trim()) + ": done";
                sessionStorage.setItem("toast", done);
                location.reload();
              } else if (error) { error.textContent = problem; error.hidden = false; } else { say(problem, true); }
            });
          });

          // Etsy's consent page: the farm keeps a PKCE verifier and sends the browser there; Etsy sends it back to
          // this farm's callback, whose address only the page knows for sure.
          document.addEventListener("click", async (event) => {
            const button = event.target.closest("button[data-oauth]");
            if (!button || button.disabled) return;
            button.disabled = true;
            try {
              const response = await fetch(button.dataset.oauth, {
                method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
                body: JSON.stringify({ redirectURI: location.origin + "/oauth/etsy/callback" }) });
              if (!response.ok) { say(await problemText(response), true); button.disabled = false; return; }
              location.href = (await response.json()).authorizeURL;
            } catch {
              say("The server cannot be reached; nothing was changed.", true);
              button.disabled = false;
            }
          });

          // Card actions: one request per click (an idempotency key per click, the button off while it runs), with
          // the version the card showed, so an action on something that changed meanwhile is refused.
          document.addEventListener("click", async (event) => {
            const button = event.target.closest("button[data-action]");
            if (!button || button.disabled) return;
            let body = {};
            try { body = JSON.parse(button.dataset.body || "{}"); } catch {}
            if (button.dataset.reason) {
              const note = window.prompt(button.textContent.trim() + ": why? (required)");
              if (note === null) return;
              if (!note.trim()) { say("A reason is needed.", true); return; }
              if (note.length > 2000) { say("The reason is too long (at most 2,000 characters).", true); return; }
              body.note = note.trim();
            }
            button.disabled = true;
            const problem = await change(button.dataset.action, body, button.dataset.version, live ? "The page now shows it as it is." : "Reload to see it as it is.");
            button.disabled = false;
            if (problem !== null) {
              say(problem, true);
            } else {
              const done = change.effect || button.textContent.trim() + ": done";
              say(done);
              // Pages without a live part show the result by loading again (and say it once loaded).
              if (!live) { sessionStorage.setItem("toast", done); location.reload(); return; }
            }
            if (live) refresh();
          });
        })();
        """#
}
