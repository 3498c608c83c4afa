// The assign table, by keyboard: after a pupil's employer is saved (Enter), focus moves to
// the next pupil's box, so a whole tutor group is typed in without touching the mouse.
// Progressive enhancement only: without it, Tab moves on and the Save buttons still work.
document.addEventListener("htmx:afterSettle", function (event) {
  var row = event.target;
  if (!row || !row.classList || !row.classList.contains("assign-row")) { return; }
  var target = row;
  if (row.getAttribute("data-saved") === "1") {
    var next = row.nextElementSibling;
    while (next && !next.querySelector(".assign-field input")) { next = next.nextElementSibling; }
    if (next) { target = next; }
  }
  var input = target.querySelector(".assign-field input");
  if (input) { input.focus(); input.select(); }
});
