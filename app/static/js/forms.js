// Repeating rows of task forms: add a row from the table's <template>, remove a row.
// A select marked data-reload="name" opens data-reload-url (default: this page) with ?name=<choice>
// (the start page's process, whose start form then shows); fields of its form marked data-keep
// go along, so nothing typed is lost.
(function () {
  "use strict";
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
