// Accumulator's service worker: shows the notifications pushed by the server (plant reminders,
// comments, alerts) and opens their page when one is clicked (focusing a tab already open there).
// A notification's buttons ("Watered", "Snooze a day") post their signed, single-use token to the
// server and act without opening the app, from the lock screen too.
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch { data = { body: event.data?.text() }; }
  const actions = Array.isArray(data.actions) ? data.actions : [];
  event.waitUntil(
    self.registration.showNotification(data.title || "Accumulator", {
      body: data.body || "",
      tag: data.tag || "plant-reminder",
      data: { url: data.url || "/plants", actions },
      actions: actions.map((action) => ({ action: action.action, title: action.title })),
    }),
  );
});

function act(notification, name) {
  const chosen = (notification.data?.actions || []).find((action) => action.action === name);
  if (!chosen) return Promise.resolve();
  return fetch("/api/plant-actions", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: chosen.token }),
    credentials: "omit", // the token is the credential; no cookie needed
  }).then(async (answer) => {
    const result = await answer.json().catch(() => ({}));
    const body = answer.ok ? `${(result.plants || []).join(", ")}: ${result.done}.` : result.error || "Not done.";
    return self.registration.showNotification(answer.ok ? "Done" : "Not done", { body, tag: "plant-action" });
  });
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  if (event.action) {
    event.waitUntil(act(event.notification, event.action));
    return;
  }
  const target = new URL(event.notification.data?.url || "/plants", self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((tabs) => {
      const open = tabs.find((tab) => tab.url.startsWith(target));
      return open ? open.focus() : self.clients.openWindow(target);
    }),
  );
});
