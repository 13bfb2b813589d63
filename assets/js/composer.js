// The notes composer: Enter sends, Shift+Enter starts a new line (Ctrl/Cmd+Enter sends too).
document.addEventListener("keydown", (event) => {
  const field = event.target;
  if (!(field instanceof HTMLTextAreaElement) || field.id !== "composer-text") return;
  if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
  event.preventDefault();
  field.form?.requestSubmit();
});

// Older days load as the owner scrolls up to the top of the notes (the button stays for keyboards).
let lastOlderLoad = 0;
window.addEventListener("scroll", () => {
  const button = document.getElementById("load-older");
  if (!button || window.scrollY > 150 || Date.now() - lastOlderLoad < 1000) return;
  lastOlderLoad = Date.now();
  button.click();
}, { passive: true });
