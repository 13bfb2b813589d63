// The notes composer: Enter sends, Shift+Enter starts a new line (Ctrl/Cmd+Enter sends too).
document.addEventListener("keydown", (event) => {
  const field = event.target;
  if (!(field instanceof HTMLTextAreaElement) || field.id !== "composer-text") return;
  if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
  event.preventDefault();
  field.form?.requestSubmit();
});
