// The paste editor saves over HTTP, not the websocket: the text can be 1 MB and files far more.
// Each new file is uploaded on its own request (so the progress bar is real), then the paste is
// saved with the ids of its files. Nothing is saved when an upload fails.
(() => {
  const byId = (id) => document.getElementById(id);

  function showError(message) {
    const box = byId("paste-error");
    if (box) box.textContent = message;
  }

  function showProgress(sent, total, index, count) {
    const box = byId("paste-progress-box");
    const bar = byId("paste-progress");
    const text = byId("paste-progress-text");
    if (!box || !bar || !text) return;
    box.hidden = false;
    const percent = total ? Math.floor((sent / total) * 100) : 100;
    bar.value = percent;
    text.textContent = `Uploading file ${index} of ${count}: ${percent}%`;
  }

  function sizeText(bytes) {
    if (bytes < 1024) return `${bytes} bytes`;
    const units = ["KB", "MB", "GB"];
    let value = bytes;
    for (const unit of units) {
      value /= 1024;
      if (value < 1024 || unit === "GB") return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}`;
    }
    return `${bytes} bytes`;
  }

  function upload(file, onProgress) {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open("POST", `/api/pastes/uploads?name=${encodeURIComponent(file.name)}`);
      request.setRequestHeader("Content-Type", file.type || "application/octet-stream");
      request.upload.onprogress = (event) => onProgress(event.loaded);
      request.onload = () => {
        let answer = {};
        try { answer = JSON.parse(request.responseText); } catch { /* not JSON: use the status */ }
        if (request.status === 201) resolve(answer);
        else reject(new Error(answer.error ? `${file.name}: ${answer.error}` : `Uploading ${file.name} failed (${request.status}).`));
      };
      request.onerror = () => reject(new Error(`Uploading ${file.name} failed: the connection was lost.`));
      request.send(file);
    });
  }

  let saving = false;
  // Files already uploaded by an attempt whose save then failed: a retry does not send them again.
  const uploadedAlready = new WeakMap();
  const CONTENT_MAX = 1024 * 1024;

  async function save(form) {
    if (saving || !form) return;
    const fields = new FormData(form);
    const picked = Array.from(byId("paste-files")?.files || []);
    const kept = fields.getAll("keep_file");
    const maxBytes = Number(form.dataset.maxUpload);
    const maxFiles = Number(form.dataset.maxFiles);
    const content = String(fields.get("content") || "");
    showError("");
    if (kept.length + picked.length > maxFiles) return showError(`A paste holds at most ${maxFiles} files.`);
    const tooLarge = picked.find((file) => file.size > maxBytes);
    if (tooLarge) return showError(`${tooLarge.name} is larger than ${form.dataset.maxUploadMb} MB.`);
    if (!content.trim() && !kept.length && !picked.length) return showError("Write something or attach a file.");
    if (new Blob([content]).size > CONTENT_MAX) return showError("The text is larger than 1 MB; attach it as a file instead.");

    saving = true;
    const button = byId("paste-save");
    if (button) button.disabled = true;
    try {
      const total = picked.reduce((sum, file) => sum + file.size, 0);
      let done = 0;
      const uploaded = [];
      for (const [index, file] of picked.entries()) {
        if (!uploadedAlready.has(file)) {
          const answer = await upload(file, (sent) => showProgress(done + sent, total, index + 1, picked.length));
          uploadedAlready.set(file, answer.id);
        }
        uploaded.push(uploadedAlready.get(file));
        done += file.size;
      }
      const pasteId = form.dataset.pasteId;
      const response = await fetch(pasteId ? `/api/pastes/${pasteId}` : "/api/pastes", {
        method: pasteId ? "PUT" : "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          title: String(fields.get("title") || ""),
          content,
          language: fields.get("language"),
          expiry: fields.get("expiry"),
          visibility: fields.get("shared") ? "shared" : "private",
          burn_after_reading: Boolean(fields.get("burn")),
          files: [...kept, ...uploaded],
        }),
      });
      let answer = {};
      try { answer = await response.json(); } catch { /* not JSON: use the status */ }
      if (!response.ok) throw new Error(answer.error || `Saving failed (${response.status}).`);
      location.assign(answer.url);
    } catch (error) {
      showError(error.message);
      const box = byId("paste-progress-box");
      if (box) box.hidden = true;
    } finally {
      saving = false;
      if (button) button.disabled = false;
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest("#paste-save");
    if (!button) return;
    event.preventDefault();
    save(byId("paste-editor"));
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    if (!(event.target instanceof Element) || !event.target.closest("#paste-editor")) return;
    event.preventDefault();
    save(byId("paste-editor"));
  });

  // The chosen files, with their sizes, under the picker.
  document.addEventListener("change", (event) => {
    if (!(event.target instanceof HTMLInputElement) || event.target.id !== "paste-files") return;
    const list = byId("paste-picked");
    if (!list) return;
    list.replaceChildren(...Array.from(event.target.files).map((file) => {
      const item = document.createElement("li");
      item.textContent = `${file.name} (${sizeText(file.size)})`;
      return item;
    }));
  });
})();
