// The API's Swagger UI (/api/docs): the document's URL comes from the page, nothing runs inline (CSP).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null,  // no call to an outside validator
    onComplete: function () { root.dataset.loaded = "true"; }
  });
})();
