// Sends the login form as JSON so errors show in place (the form still posts without this).
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.id !== "login-form") return;
  event.preventDefault();
  const out = document.getElementById("login-error");
  const button = form.querySelector("button[type=submit]");
  const data = new FormData(form);
  // Read `next` from the address itself: the hidden field is filled by the page's state, which may
  // not have arrived yet when someone types fast. The server checks it stays on this site.
  const next = new URLSearchParams(location.search).get("next") || data.get("next");
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ email: data.get("email"), password: data.get("password"), next }),
    });
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      location.assign(body.next || "/dashboard"); // a full load, so the live connection carries the new cookie
      return;
    }
    out.textContent = body.error || "Login failed (" + response.status + ").";
  } catch (error) {
    out.textContent = "Could not reach the server. Check your connection and try again.";
  } finally {
    button.disabled = false;
  }
});
