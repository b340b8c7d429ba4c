// After a refused upload: show the diagram with the elements named by the validator marked.
(function () {
  "use strict";
  var container = document.getElementById("diagram");
  if (!container || !window.BpmnJS) { return; }
  var xml = JSON.parse(document.getElementById("upload-xml").textContent);
  var errors = JSON.parse(document.getElementById("upload-errors-json").textContent);
  var viewer = new window.BpmnJS({ container: container });
  viewer.importXML(xml).then(function () {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    canvas.zoom("fit-viewport");
    errors.forEach(function (e) {
      if (e.element && registry.get(e.element)) { canvas.addMarker(e.element, "has-error"); }
    });
    container.dataset.rendered = "true";
  }).catch(function (err) {
    container.dataset.rendered = "error";
    container.textContent = String(err && err.message || err);
  });
})();
