// Passkey pages: allauth's own script (mfa/js/webauthn.js, from the installed package) talks to the
// browser's WebAuthn; this wires it to the page's buttons from data- attributes (the CSP allows no
// inline script). It shows the passkey button only where the browser can use passkeys (the page says
// what to do instead otherwise) and, when the browser says no (the person cancelled, it timed out, or
// the key is not one added to Trellis), says so on the page instead of only in the console.
(function () {
  function showProblem(id) {
    document.querySelectorAll(".passkey-problem").forEach(function (box) { box.hidden = true; });
    const box = document.getElementById(id);
    if (!box) return;
    box.hidden = false;
    box.focus();
  }

  document.addEventListener("allauth.error", function (event) {
    event.preventDefault(); // allauth would only log it
    const error = event.detail && event.detail.exception;
    const already = error && error.name === "InvalidStateError" && document.getElementById("passkey-already-added");
    showProblem(already ? "passkey-already-added" : "passkey-problem");
  });

  document.addEventListener("DOMContentLoaded", function () {
    // Shown until now, for browsers without JavaScript (a <noscript> is not shown where scripts are merely blocked).
    document.querySelectorAll("[data-passkey-no-script]").forEach(function (element) {
      element.hidden = true;
    });
    const supported = typeof window.PublicKeyCredential === "function" && window.allauth && window.allauth.webauthn;
    document.querySelectorAll("[data-passkey-unsupported]").forEach(function (element) {
      element.hidden = Boolean(supported);
    });
    if (!supported) return;
    const forms = window.allauth.webauthn.forms;
    document.querySelectorAll("[data-passkey-action]").forEach(function (button) {
      const ids = { credential: button.dataset.passkeyCredential, data: "js_data" };
      if (button.dataset.passkeyAction === "add") {
        forms.addForm({ ids: Object.assign(ids, { add: button.id }) });
      } else {
        forms.authenticateForm({ ids: Object.assign(ids, { authenticate: button.id }) });
      }
      button.hidden = false;
    });
  });
})();
