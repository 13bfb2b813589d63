// The now-playing progress bar moves by itself between updates. The server sends where the track
// was when the page got the data; the time since is measured here, so clocks never need to agree.
(() => {
  let seenKey = "";
  let seenAt = 0;

  const clock = (ms) => {
    const seconds = Math.max(0, Math.floor(ms / 1000));
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  };

  setInterval(() => {
    const bar = document.getElementById("np-progress");
    if (!bar) return;
    const progress = Number(bar.dataset.progress || 0);
    const duration = Number(bar.dataset.duration || 0);
    const key = `${progress}/${duration}/${bar.dataset.moving}`;
    if (key !== seenKey) {
      seenKey = key;
      seenAt = Date.now();
    }
    const moving = bar.dataset.moving === "true";
    const now = Math.min(duration, progress + (moving ? Date.now() - seenAt : 0));
    const fill = document.getElementById("np-bar");
    if (fill && duration) fill.style.width = `${(100 * now) / duration}%`;
    const elapsed = document.getElementById("np-elapsed");
    const total = document.getElementById("np-duration");
    if (elapsed) elapsed.textContent = clock(now);
    if (total) total.textContent = clock(duration);
  }, 500);
})();
