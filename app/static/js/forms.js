// Repeating rows of task forms: add a row from the table's <template>, remove a row.
// A select marked data-reload="name" opens data-reload-url (default: this page) with ?name=<choice>
// (the start page's process, whose start form then shows); fields of its form marked data-keep
// go along, so nothing typed is lost.
// A field marked data-show-when (workflows/deployment/conditions.py: JSON Schema if/then/else and
// dependentSchemas) shows only while one of its conditions holds; hidden, its inputs are disabled, so
// the browser does not send them and the server reads the form as the page showed it.
(function () {
  "use strict";

  function chosen(form, name) {
    // The values a top-level field holds now: checked boxes and radios, else what is typed or selected.
    var checked = [], typed = [], fallback = [];
    form.querySelectorAll("[name]").forEach(function (input) {
      if (input.name !== name || input.disabled) { return; }
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) { checked.push(input.value); }
      } else if (input.type === "hidden") {
        fallback.push(input.value);
      } else if (input.value) {
        typed.push(input.value);
      }
    });
    return checked.length ? checked : (typed.length ? typed : fallback);
  }

  function holds(form, condition) {
    var values = chosen(form, condition.field);
    if (condition.present) {
      return values.some(function (v) { return v !== "" && v !== "false"; });
    }
    var wanted = condition.values.map(String);
    var match = values.some(function (v) { return wanted.indexOf(v) >= 0; });
    return condition.negate ? !match : match;
  }

  function applyConditions(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (field) {
      var conditions = JSON.parse(field.dataset.showWhen);
      var shown = conditions.some(function (c) { return holds(form, c); });
      field.hidden = !shown;
      field.querySelectorAll("input, select, textarea, button").forEach(function (input) {
        input.disabled = !shown;
      });
    });
  }

  function everyForm() {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-show-when]")) { applyConditions(form); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", everyForm);
  } else {
    everyForm();
  }
  ["change", "input"].forEach(function (kind) {
    document.addEventListener(kind, function (event) {
      var form = event.target.form || (event.target.closest && event.target.closest("form"));
      if (form && form.querySelector("[data-show-when]")) { applyConditions(form); }
    });
  });

  document.addEventListener("click", function (event) {
    var add = event.target.closest(".add-row");
    if (add) {
      var table = document.querySelector('table.repeat[data-repeat="' + add.dataset.for + '"]');
      var index = parseInt(table.dataset.next, 10);
      table.dataset.next = String(index + 1);
      var html = table.querySelector(":scope > template").innerHTML;
      var prefix = add.dataset.for + ".__i__";
      html = html.split(prefix).join(add.dataset.for + "." + index)
                 .split(prefix.replace(/\./g, "-")).join((add.dataset.for + "." + index).replace(/\./g, "-"));
      table.querySelector(":scope > tbody").insertAdjacentHTML("beforeend", html);
      return;
    }
    var remove = event.target.closest(".remove-row");
    if (remove) {
      remove.closest("tr").remove();
    }
  });
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-reload]");
    if (select) {
      var url = new URL(select.dataset.reloadUrl || window.location.href, window.location.href);
      url.searchParams.set(select.dataset.reload, select.value);
      select.form.querySelectorAll("[data-keep]").forEach(function (field) {
        if (field.value) { url.searchParams.set(field.name, field.value); }
      });
      window.location.href = url.toString();
    }
  });
})();
