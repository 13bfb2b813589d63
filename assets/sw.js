// Accumulator's service worker: shows plant reminders pushed by the server, and opens /plants when
// one is clicked (focusing a tab that is already open there).
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch { data = { body: event.data?.text() }; }
  event.waitUntil(
    self.registration.showNotification(data.title || "Plants need water", {
      body: data.body || "",
      tag: data.tag || "plant-reminder",
      data: { url: data.url || "/plants" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || "/plants", self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((tabs) => {
      const open = tabs.find((tab) => tab.url.startsWith(target));
      return open ? open.focus() : self.clients.openWindow(target);
    }),
  );
});
