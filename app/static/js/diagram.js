// The instance diagram: bpmn-js NavigatedViewer with completed, active and overdue elements marked.
(function () {
  "use strict";
  var container = document.getElementById("diagram");
  if (!container || !window.BpmnJS) { return; }
  var states = JSON.parse(document.getElementById("diagram-states").textContent || "{}");
  var viewer = new window.BpmnJS({ container: container });
  fetch(container.dataset.src, { credentials: "same-origin" })
    .then(function (response) { return response.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      Object.keys(states).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, "state-" + states[id]); }
      });
      container.dataset.rendered = "true";
    })
    .catch(function (err) {
      container.dataset.rendered = "error";
      container.textContent = String(err && err.message || err);
    });
})();
