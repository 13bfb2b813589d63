/* Accumulator's website tracker, served minified at /js/tracker.js. A site includes it with
 *   <script defer src="https://HUB/js/tracker.js" data-site="blog"></script>
 * and it reports a pageview per path, a heartbeat every 15 s while the tab is visible, a leave when the
 * tab is hidden, closed or moves to another path, and likes. It sets no cookie: the visitor is a random
 * token per tab, kept in sessionStorage.
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
    api = new URL(s.src).origin + "/api/",
    site = s.dataset.site,
    path, // the path of the last pageview
    left, // a leave went out for this hide: the pagehide that follows a hidden tab sends no second one
    // One request at a time, so the hub sees the leave of the old path before the pageview of the new
    // one, and a like after its pageview.
    queue = Promise.resolve(),
    // 32 hex digits (crypto.randomUUID needs a secure context).
    token = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), b => (b + 256).toString(16).slice(1)).join(""),
    visitor,
    body = type => JSON.stringify({ type, site, path, visitor, referrer: type == "pageview" ? d.referrer : "" }),
    // The body is built now (with the current path), the request waits its turn. text/plain keeps it a
    // "simple" request: no CORS preflight. keepalive lets it finish when the page goes away.
    // Resolves to whether the hub took the event; never rejects.
    post = (type, b = body(type)) =>
      (queue = queue.then(() =>
        fetch(api + "event", { method: "POST", body: b, headers: { "Content-Type": "text/plain" }, keepalive: true })
          .then(r => r.ok, () => false))),
    visible = () => d.visibilityState == "visible",
    // A beacon outlives the page; its string body goes as text/plain.
    leave = () => left || (left = 1, navigator.sendBeacon(api + "event", body("leave"))),
    // A single-page app showed another path (pushState or back/forward).
    route = () => {
      if (location.pathname != path) {
        post("leave");
        path = location.pathname;
        left = 0;
        post("pageview");
      }
    },
    start = () => {
      let push = history.pushState;
      path = location.pathname;
      post("pageview");
      setInterval(() => visible() && post("heartbeat"), 15e3);
      // Back on the tab (also after the back/forward cache, or opened in the background): say so at once
      // rather than at the next beat.
      d.addEventListener("visibilitychange", () => visible() ? (left = 0, post("heartbeat")) : leave());
      addEventListener("pagehide", leave);
      addEventListener("popstate", route);
      history.pushState = (...a) => {
        push.apply(history, a);
        route();
      };
    };

  try {
    visitor = sessionStorage.accumulator_visitor ||= token();
  } catch {
    visitor = token(); // storage is blocked (sandboxed frame, privacy settings): a token per page load
  }

  window.accumulator = {
    like: () => post("like"),
    stats: (p = location.pathname) =>
      fetch(api + "stats?" + new URLSearchParams({ site, path: p })).then(r => {
        if (!r.ok) throw Error(r.status);
        return r.json();
      })
  };

  // A prerendered page counts once the visitor actually opens it.
  d.prerendering ? d.addEventListener("prerenderingchange", start, { once: true }) : start();
})();
