/* The parts of Accumulator's tracker that most pages never use, served minified at /js/more.js. The
 * tracker (tracker.js) imports this module on first use and calls these with its hub's /api/ address
 * and its site; `p` is a path of the site, this page's by default.
 */
const here = p => p || location.pathname;

// The page's counts: {views, likes, viewing, comments}; rejects when the hub says no.
export const stats = (api, site, p) =>
  fetch(api + "stats?" + new URLSearchParams({ site, path: here(p) })).then(r => {
    if (!r.ok) throw Error(r.status);
    return r.json();
  });

// "N reading now" in el, kept up to date over one Server-Sent Events stream (GET /api/stats/live,
// whose `reading` events carry {"viewing": N}); the browser reconnects by itself.
export const live = (api, site, el, p) => {
  const source = new EventSource(api + "stats/live?" + new URLSearchParams({ site, path: here(p) }));
  source.addEventListener("reading", m => {
    el.textContent = JSON.parse(m.data).viewing + " reading now";
  });
  return source;
};

const FILES = /\.(pdf|zip|gz|tgz|dmg|exe|msi|apk|csv|xlsx?|docx?|pptx?|epub|mp[34]|wav|flac)$/i;
const URL_MAX = 128; // what the hub keeps of a property

// Clicks on links to other sites, and on files of this one, as goals (data-outbound on the script tag).
export const outbound = () =>
  document.addEventListener("click", e => {
    const a = e.target.closest?.("a[href]");
    if (!a) return;
    const u = new URL(a.href, location.href);
    if (!/^https?:$/.test(u.protocol)) return;
    if (u.host != location.host) accumulator.track("Outbound Link: Click", { url: a.href.slice(0, URL_MAX) });
    else if (FILES.test(u.pathname)) accumulator.track("File Download", { url: u.pathname.slice(0, URL_MAX) });
  }, true);
