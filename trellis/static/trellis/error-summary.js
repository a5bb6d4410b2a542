// GOV.UK error summary pattern: when a page shows an error summary, move focus to it so keyboard
// and screen reader users start at the list of problems. Without JavaScript the summary is the
// first thing on the page. Also runs after htmx swaps in a page that has one.
(function () {
  function focusSummary() {
    const summary = document.querySelector(".error-summary[data-autofocus]:not([data-focused])");
    if (!summary) return;
    summary.setAttribute("data-focused", "");
    summary.focus();
  }
  focusSummary();
  document.addEventListener("htmx:afterSettle", focusSummary);
})();
