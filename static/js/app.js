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
