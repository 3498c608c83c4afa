// Progressive enhancement for forms; every form works the same without this file.
//  - Quick log: the live "27 of 29 ticked" count (the server renders the first one).
//  - Quick log: "Type of a new organisation" shows only while a new name is typed.
//  - Quick log: a new encounter's "Meaningful" follows the school's default for its type,
//    until the user ticks or unticks it themselves.
//  - Any form: <div data-reveal-when="NAME=VALUE"> shows only while control NAME has VALUE
//    (the calendar's plan picker for "One plan").
(function () {
  "use strict";

  function tidy(text) { return (text || "").replace(/\s+/g, " ").trim().toLowerCase(); }

  function updateCount(form) {
    var out = form.querySelector("[data-tick-count]");
    if (!out) { return; }
    var boxes = form.querySelectorAll("input[type=checkbox][name=pupil_ids]");
    var ticked = 0;
    boxes.forEach(function (box) { if (box.checked) { ticked += 1; } });
    var text = ticked + " of " + boxes.length + " ticked";
    if (out.textContent !== text) { out.textContent = text; }
  }

  function updateOrganisationKind(form) {
    var wrapper = form.querySelector(".js-new-organisation");
    var input = form.querySelector("input[name=organisation]");
    if (!wrapper || !input) { return; }
    var name = tidy(input.value);
    var list = input.list;
    var known = !name || (list && Array.prototype.some.call(list.options, function (option) {
      return tidy(option.value) === name;
    }));
    wrapper.hidden = !!known;
  }

  function controlValue(form, name) {
    var controls = form.querySelectorAll("[name='" + name + "']");
    for (var i = 0; i < controls.length; i += 1) {
      var control = controls[i];
      if (control.type === "radio" || control.type === "checkbox") {
        if (control.checked) { return control.value; }
      } else {
        return control.value;
      }
    }
    return "";
  }

  function updateReveals(form) {
    form.querySelectorAll("[data-reveal-when]").forEach(function (element) {
      var rule = element.getAttribute("data-reveal-when").split("=");
      element.hidden = controlValue(form, rule[0]) !== rule[1];
    });
  }

  function refresh(form) {
    updateCount(form);
    updateOrganisationKind(form);
    updateReveals(form);
  }

  function refreshAll() { document.querySelectorAll("form").forEach(refresh); }

  function followMeaningfulDefault(select) {
    var form = select.form;
    var box = form && form.querySelector("input[type=checkbox][name=meaningful]");
    if (!box || box.hasAttribute("data-touched")) { return; }
    try {
      var defaults = JSON.parse(select.getAttribute("data-meaningful-defaults"));
      box.checked = defaults[select.value] === true;
    } catch (e) { /* a malformed attribute leaves the box as it is */ }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.form) { return; }
    if (target.name === "meaningful") { target.setAttribute("data-touched", "1"); }
    if (target.hasAttribute("data-meaningful-defaults")) { followMeaningfulDefault(target); }
    refresh(target.form);
  });
  document.addEventListener("input", function (event) {
    if (event.target.form && event.target.name === "organisation") { refresh(event.target.form); }
  });
  // New checklists and organisation suggestions arrive through htmx.
  document.addEventListener("htmx:afterSettle", refreshAll);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", refreshAll);
  } else {
    refreshAll();
  }
})();
