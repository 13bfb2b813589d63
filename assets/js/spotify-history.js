// Listening history: Spotify's export files, each sent as the request body to the owner's import
// route (not over the websocket, which drops messages over 1 MB). The page refreshes itself when
// the server announces the new plays.
(() => {
  const say = (text) => {
    const box = document.getElementById("history-import-message");
    if (box) box.textContent = text;
  };
  const limit = 64 * 1024 * 1024;

  document.addEventListener("change", async (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.id !== "history-import-input" || !input.files?.length) return;
    const lines = [];
    for (const file of input.files) {
      if (file.size > limit) {
        lines.push(`${file.name}: larger than 64 MB, not imported.`);
        continue;
      }
      say(`Importing ${file.name}…`);
      const answer = await fetch("/api/spotify/history/import", { method: "POST", body: file });
      const body = await answer.json().catch(() => ({}));
      if (!answer.ok) {
        lines.push(`${file.name}: not imported. ${body.error || `The server answered ${answer.status}.`}`);
        continue;
      }
      const skipped = Object.entries(body.skipped || {}).map(([why, n]) => `${n} ${why}`).join("; ");
      lines.push(`${file.name}: ${body.read} read, ${body.added} added, ${body.already} already there` +
        (skipped ? `; skipped: ${skipped}.` : "."));
    }
    say(lines.join(" "));
    input.value = "";
  });
})();
