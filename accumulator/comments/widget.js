// The comment widget: <script defer src="https://HUB/js/comments.js" data-site="blog"></script>
// and <div id="accumulator-comments"></div> where the comments go. No cookie; the author token
// (signed by the hub) is kept in localStorage. Comment HTML comes sanitised from the server.
(function () {
  var me = document.currentScript;
  if (!me) return;
  var hub = new URL(me.src).origin;
  var site = me.getAttribute("data-site") || "default";
  var path = me.getAttribute("data-path") || location.pathname;
  var box = document.getElementById(me.getAttribute("data-target") || "accumulator-comments");
  if (!box) return;
  var KEY = "accumulator-comment-author";
  var q = "site=" + encodeURIComponent(site) + "&path=" + encodeURIComponent(path);
  var all = {}, stamp = "", order = "oldest";
  var css = ".acc-c{--f:#1c2024;--m:#60646c;--l:#e0e1e6;--b:#fff;--a:#3e63dd;color:var(--f);font:15px/1.55 system-ui,sans-serif;max-width:760px}" +
    "@media(prefers-color-scheme:dark){.acc-c{--f:#edeef0;--m:#b0b4ba;--l:#2e3135;--b:#111113;--a:#9eb1ff}}" +
    ".acc-c[data-theme=dark]{--f:#edeef0;--m:#b0b4ba;--l:#2e3135;--b:#111113;--a:#9eb1ff}" +
    ".acc-c[data-theme=light]{--f:#1c2024;--m:#60646c;--l:#e0e1e6;--b:#fff;--a:#3e63dd}" +
    ".acc-c *{box-sizing:border-box}.acc-c a{color:var(--a)}.acc-c .it{border-top:1px solid var(--l);padding:8px 0;overflow-wrap:anywhere}" +
    ".acc-c .rs{margin-left:16px;border-left:2px solid var(--l);padding-left:10px}.acc-c .who{font-weight:600}" +
    ".acc-c .mk{font-size:.75em;background:var(--a);color:var(--b);border-radius:4px;padding:1px 6px;margin-left:6px}" +
    ".acc-c time,.acc-c .note{color:var(--m);font-size:.85em;margin-left:6px}.acc-c pre{overflow:auto;background:rgba(127,127,127,.12);padding:8px}" +
    ".acc-c form{display:grid;gap:6px;margin:8px 0}.acc-c input,.acc-c textarea,.acc-c select,.acc-c button{font:inherit;color:var(--f);" +
    "background:var(--b);border:1px solid var(--l);border-radius:6px;padding:6px 8px;width:100%}.acc-c textarea{min-height:80px}" +
    ".acc-c button{width:auto;cursor:pointer}.acc-c .hp{position:absolute;left:-9999px}.acc-c .err{color:#d93d42}.acc-c .bar{display:flex;gap:8px;align-items:center;justify-content:space-between}";
  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    for (var k in attrs || {}) k === "text" ? (n.textContent = attrs[k]) : n.setAttribute(k, attrs[k]);
    (kids || []).forEach(function (c) { n.appendChild(c); });
    return n;
  }
  function api(url, body) {
    return fetch(hub + url, body ? { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), credentials: "omit" } : { credentials: "omit" })
      .then(function (r) { return r.json().then(function (j) { j.status_code = r.status; return j; }); });
  }
  function form(parent) {
    var name = el("input", { name: "name", placeholder: "Name (optional)", maxlength: "80", "aria-label": "Name" });
    var text = el("textarea", { name: "text", placeholder: parent ? "Your reply" : "Your comment (*emphasis*, [links](https://…), `code`)", maxlength: "5000", required: "", "aria-label": "Comment" });
    var hp = el("input", { name: "website", class: "hp", tabindex: "-1", autocomplete: "off", "aria-hidden": "true" });
    var msg = el("div", { class: "note", role: "status" });
    var f = el("form", { class: "acc-form" }, [name, text, hp, el("div", { class: "bar" }, [el("button", { type: "submit", text: parent ? "Reply" : "Send" }), msg])]);
    f.onsubmit = function (e) {
      e.preventDefault();
      msg.className = "note"; msg.textContent = "Sending…";
      api("/api/comments", { site: site, path: path, parent_id: parent || null, name: name.value, text: text.value, website: hp.value, stamp: stamp, author: localStorage.getItem(KEY) || "" })
        .then(function (j) {
          if (j.author) localStorage.setItem(KEY, j.author);
          if (j.error) { msg.className = "note err"; msg.textContent = j.error; return; }
          text.value = "";
          msg.textContent = j.status === "held" ? "Thanks! Your comment will appear once approved." : "Sent.";
          if (j.comment) add(j.comment);
        }, function () { msg.className = "note err"; msg.textContent = "Could not send: try again."; });
    };
    return f;
  }
  function item(c) {
    var head = el("div", {}, [el("span", { class: "who", text: c.author })]);
    if (c.is_owner) head.appendChild(el("span", { class: "mk", text: "author" }));
    head.appendChild(el("time", { datetime: c.created, text: new Date(c.created).toLocaleString() }));
    var body = el("div", { class: "bd" });
    body.innerHTML = c.html; // sanitised on the server (allow-list, nofollow ugc links)
    var n = el("div", { class: "it", id: "acc-c-" + c.id, "data-id": c.id }, [head, body]);
    var reply = el("button", { type: "button", class: "rp", text: "Reply" });
    reply.onclick = function () { if (!n.querySelector(".acc-form")) n.insertBefore(form(c.id), rs); };
    var rs = el("div", { class: "rs" });
    n.appendChild(reply); n.appendChild(rs);
    return n;
  }
  function draw() {
    var list = box.querySelector(".acc-list"), ids = Object.keys(all).map(Number).sort(function (a, b) { return a - b; });
    list.textContent = "";
    var nodes = {}, top = [];
    ids.forEach(function (id) { nodes[id] = item(all[id]); });
    ids.forEach(function (id) {
      var p = all[id].parent_id;
      if (p && nodes[p]) nodes[p].querySelector(".rs").appendChild(nodes[id]); else if (!p) top.push(nodes[id]);
    });
    if (order === "newest") top.reverse();
    top.forEach(function (n) { list.appendChild(n); });
    box.querySelector(".acc-count").textContent = ids.length + (ids.length === 1 ? " comment" : " comments");
  }
  function add(c) { all[c.id] = c; draw(); }
  var sel = el("select", { "aria-label": "Order" }, [el("option", { value: "oldest", text: "Oldest first" }), el("option", { value: "newest", text: "Newest first" })]);
  sel.onchange = function () { order = sel.value; draw(); };
  var style = el("style", { text: css });
  if (me.nonce) style.nonce = me.nonce;
  var root = el("section", { class: "acc-c", "aria-label": "Comments" }, [style, el("div", { class: "bar" }, [el("strong", { class: "acc-count" }), sel]), el("div", { class: "acc-list" }), form(null)]);
  if (me.getAttribute("data-theme")) root.setAttribute("data-theme", me.getAttribute("data-theme"));
  box.appendChild(root);
  api("/api/comments?" + q).then(function (j) {
    stamp = j.stamp || "";
    (j.comments || []).forEach(function (c) { all[c.id] = c; });
    draw();
  });
  var live = new EventSource(hub + "/api/comments/events?" + q);
  live.addEventListener("comment", function (e) { add(JSON.parse(e.data)); });
  live.addEventListener("removed", function (e) { delete all[JSON.parse(e.data).id]; draw(); });
})();
