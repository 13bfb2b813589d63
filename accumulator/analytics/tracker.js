/* Accumulator's website tracker, served minified at /js/tracker.js. A site includes it with
 *   <script defer src="https://HUB/js/tracker.js" data-site="blog"></script>
 * and it reports a pageview per path (with the page's query string, of which the hub keeps only the
 * utm_source/utm_medium/utm_campaign/ref campaign tags), a heartbeat every 15 s while the tab is
 * visible, a leave when the tab is hidden, closed or moves to another path, and likes. A leave carries
 * the page view's reading so far: engaged seconds (counted only while the tab is visible), the deepest
 * scroll in percent, and what the previous leave of the same view reported, so the hub counts each view
 * once at its latest numbers. `accumulator.track(name, props)` sends a custom event (a goal); with
 * `data-outbound` on the script tag, clicks on links to other sites and on file downloads are sent as
 * "Outbound Link: Click" and "File Download". `accumulator.live(el)` keeps el's text at "N reading now".
 * Those, and `accumulator.stats()`, live in js/more.js (analytics/tracker_more.js), loaded on first use.
 * It sets no cookie: the visitor is a random token per tab, kept in sessionStorage.
 *
 * The hub takes a visitor token of 8 to 64 characters, each a letter, digit, "-" or "_", and answers
 * 400 to any other (analytics/ingest.py): a site that sends its own ids instead of this token must keep
 * to that, so a dotted timestamp ("1700000000.123") or a short number ("42") will not do.
 *
 * Written for the wire (at most 1,000 bytes gzipped, which tests/analytics/test_tracker_script.py checks):
 * the minifier only strips spaces and comments, so the names are short and the comments say what they hold.
 */
(() => {
  let d = document,
    s = d.currentScript,
    // Everything goes back to the origin the script came from.
    hub = new URL(s.src).origin,
    api = hub + "/api/",
    site = s.dataset.site,
    path, // the path of the last pageview
    left, // a leave went out for this hide: the pagehide that follows a hidden tab sends no second one
    // One request at a time, so the hub sees the leave of the old path before the pageview of the new
    // one, and a like after its pageview.
    queue = Promise.resolve(),
    // 32 hex digits (crypto.randomUUID needs a secure context).
    token = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), b => (b + 256).toString(16).slice(1)).join(""),
    visitor,
    // This page view's reading: ms engaged, on: since when the tab is visible (false: hidden), sc: the
    // deepest scroll in %, se and ss: the seconds and scroll the last leave reported.
    ms, on, sc, se, ss,
    vis = () => d.visibilityState == "visible",
    tk = () => {
      on && (ms += Date.now() - on);
      on = vis() && Date.now();
    },
    sy = () => sc = Math.max(sc, Math.min(100, (scrollY + innerHeight) * 100 / d.documentElement.scrollHeight | 0)),
    body = (type, x) => JSON.stringify({ type, site, path, visitor, ...x }),
    // The body is built now (with the current path), the request waits its turn. text/plain keeps it a
    // "simple" request: no CORS preflight. keepalive lets it finish when the page goes away.
    // Resolves to whether the hub took the event; never rejects.
    post = (type, x, b = body(type, x)) =>
      (queue = queue.then(() =>
        fetch(api + "event", { method: "POST", body: b, headers: { "Content-Type": "text/plain" }, keepalive: 1 })
          .then(r => r.ok, () => false))),
    // The reading so far, and what the next report counts from.
    rp = (x = (tk(), sy(), { e: ms / 1e3 | 0, p: se, s: sc, ps: ss })) => (se = x.e, ss = sc, x),
    // A beacon outlives the page; its string body goes as text/plain.
    leave = () => left || (left = 1, navigator.sendBeacon(api + "event", body("leave", rp()))),
    view = () => {
      ms = sc = se = ss = 0;
      on = vis() && Date.now();
      post("pageview", { referrer: d.referrer, q: location.search });
    },
    // A single-page app showed another path (pushState or back/forward).
    route = () => {
      if (location.pathname != path) {
        post("leave", rp());
        path = location.pathname;
        left = 0;
        view();
      }
    },
    track = (name, props) => post("event", { name, props }),
    // What most pages never use lives in a module of its own (js/more.js), loaded on first use.
    more = (f, ...a) => import(hub + "/js/more.js").then(m => m[f](api, site, ...a)),
    start = () => {
      let push = history.pushState;
      path = location.pathname;
      view();
      setInterval(() => vis() && post("heartbeat"), 15e3);
      // Back on the tab (also after the back/forward cache, or opened in the background): say so at once
      // rather than at the next beat, and count reading time from now.
      d.addEventListener("visibilitychange", () => vis() ? (left = 0, tk(), post("heartbeat")) : leave());
      addEventListener("pagehide", leave);
      addEventListener("popstate", route);
      addEventListener("scroll", sy, { passive: 1 });
      history.pushState = (...a) => {
        push.apply(history, a);
        route();
      };
      // Links to other sites and to files, when the site asks for them.
      s.dataset.outbound != null && more("outbound");
    };

  try {
    visitor = sessionStorage.accumulator_visitor ||= token();
  } catch {
    visitor = token(); // storage is blocked (sandboxed frame, privacy settings): a token per page load
  }

  window.accumulator = {
    like: () => post("like"),
    track,
    stats: p => more("stats", p), // (p: a path; default this page's)
    live: (el, p) => more("live", el, p)
  };

  // A prerendered page counts once the visitor actually opens it.
  d.prerendering ? d.addEventListener("prerenderingchange", start, { once: 1 }) : start();
})();
