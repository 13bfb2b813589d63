// Plants: browser notifications (a service worker and a push subscription) and photo uploads,
// both over HTTP to the app's plant routes.
(() => {
  const say = (id, text) => {
    const box = document.getElementById(id);
    if (box) box.textContent = text;
  };

  const keyBytes = (base64url) => {
    const base64 = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
  };

  window.accumulatorEnablePush = async () => {
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
      say("push-message", "This browser cannot show notifications from websites.");
      return;
    }
    try {
      if ((await Notification.requestPermission()) !== "granted") {
        say("push-message", "Notifications are blocked for this site; allow them in the browser's site settings.");
        return;
      }
      const registration = await navigator.serviceWorker.register("/sw.js");
      await navigator.serviceWorker.ready;
      const answer = await fetch("/api/plants/push/key");
      if (!answer.ok) throw new Error(`the server answered ${answer.status}`);
      const { public_key: publicKey } = await answer.json();
      let subscription = await registration.pushManager.getSubscription();
      if (!subscription) {
        subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
      }
      const saved = await fetch("/api/plants/push/subscriptions", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(subscription.toJSON()),
      });
      if (!saved.ok) throw new Error((await saved.json().catch(() => ({}))).error || `the server answered ${saved.status}`);
      say("push-message", "Notifications are on for this device.");
    } catch (error) {
      say("push-message", `Notifications could not be turned on: ${error.message}`);
    }
  };

  // A new photo: sent as the request body; the page reloads it when the server says it changed.
  document.addEventListener("change", async (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.id !== "plant-photo-input" || !input.files?.length) return;
    const file = input.files[0];
    say("plant-photo-message", "");
    if (file.size > 10 * 1024 * 1024) {
      say("plant-photo-message", "The photo is larger than 10 MB.");
      return;
    }
    const answer = await fetch(`/api/plants/${input.dataset.plantId}/photo`, { method: "POST", body: file });
    if (!answer.ok) say("plant-photo-message", (await answer.json().catch(() => ({}))).error || `Upload failed (${answer.status}).`);
    input.value = "";
  });
})();
