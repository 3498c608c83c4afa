// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");

// After htmx swaps in a form with errors, move focus to the summary so screen-reader and
// keyboard users land on the list of problems, as they would after a full page load.
document.addEventListener("htmx:afterSettle", function () {
  var summary = document.querySelector(".error-summary");
  if (summary && !summary.contains(document.activeElement)) {
    summary.focus();
  }
});

// Every htmx request carries the newest CSRF token. When a page has been open so long that
// its token expired, the server answers with a fresh one (swapped into the meta tag), so
// pressing the button again works and nothing typed is lost.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.getElementById("csrf-token");
  if (!meta) { return; }
  event.detail.headers["X-CSRFToken"] = meta.content;
  if (event.detail.parameters && event.detail.parameters["csrf_token"] !== undefined) {
    event.detail.parameters["csrf_token"] = meta.content;
  }
});

// A fresh error message replaces the last one; clear it once a request succeeds.
document.addEventListener("htmx:beforeRequest", function () {
  var box = document.getElementById("htmx-error");
  if (box) { box.textContent = ""; }
});
