// "Copy link" buttons: <button data-copy="ID-of-input">. Without JavaScript the address is
// still there to select and copy by hand; the buttons stay hidden (see plans.css; app.js
// marks the page as having JavaScript).
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button) return;
  var input = document.getElementById(button.getAttribute("data-copy"));
  if (!input) return;
  var status = document.getElementById(button.getAttribute("data-copy") + "-status");
  function done(message) { if (status) status.textContent = message; }
  input.focus();
  input.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(
      function () { done("Copied. Paste it into your calendar app."); },
      function () { done("Press Ctrl+C (or Cmd+C) to copy the selected address."); });
  } else {
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    done(ok ? "Copied. Paste it into your calendar app."
            : "Press Ctrl+C (or Cmd+C) to copy the selected address.");
  }
});
