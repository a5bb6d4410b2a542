// Bulk review entry: after a row is saved (Enter or Save), move focus to the next row's value so
// the person carries on typing; after an error, back to the row's own value. Without JavaScript
// each row is a plain form and the page reloads. When the row asks to confirm an unlikely value,
// focus goes to its "Yes, this value is right" box.
(function () {
  let saving = null;
  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = event.detail.elt;
    if (form.matches && form.matches("form[id^='review-']")) saving = form.id.slice("review-".length);
  });
  document.addEventListener("htmx:afterSettle", () => {
    if (saving === null) return;
    const row = document.getElementById("row-" + saving);
    saving = null;
    if (!row) return;
    const confirm = row.querySelector("input[name=confirm]");
    if (confirm) {
      confirm.focus();
      return;
    }
    const saved = row.querySelector("[role=status]") !== null;
    const next = saved ? row.nextElementSibling : row;
    const field = next && next.querySelector("[id^='value-']");
    if (field) field.focus();
  });
})();
