// The admin's modeler: bpmn-js Modeler, a small properties panel writing spiffworkflow:properties
// (docs/diagrams.md), the forms deployed with the diagram, validation errors marked at their elements.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("modeler-config").textContent);
  var T = config.text;
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  var SPIFF = {
    name: "SpiffWorkflow", prefix: "spiffworkflow", uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
    xml: { tagAlias: "lowerCase" }, associations: [],
    types: [
      { name: "Properties", superClass: ["Element"],
        properties: [{ name: "properties", type: "Property", isMany: true }] },
      { name: "Property", superClass: ["Element"],
        properties: [{ name: "name", type: "String", isAttr: true }, { name: "value", type: "String", isAttr: true }] }
    ]
  };
  var EMPTY = '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" ' +
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" ' +
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="definitions_1" ' +
    'targetNamespace="urn:xietong:bpmn">\n' +
    '  <bpmn:process id="new_process" name="" isExecutable="true">\n' +
    '    <bpmn:startEvent id="start" />\n  </bpmn:process>\n' +
    '  <bpmndi:BPMNDiagram id="diagram_1"><bpmndi:BPMNPlane id="plane_1" bpmnElement="new_process">\n' +
    '    <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="180" y="160" width="36" height="36" />' +
    '</bpmndi:BPMNShape>\n  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</bpmn:definitions>\n';

  var TASK_PROPS = ["role", "form", "deadline", "deadlineFrom", "priority", "copyTo", "escalateTo",
    "remindBefore", "extension", "extensionRole", "maxExtensions", "notify", "noticeKind", "noticeTitle"];
  var EVENT_PROPS = ["notify", "noticeKind", "noticeTitle"];

  var container = document.getElementById("canvas");
  var modeler = new window.BpmnJS({ container: container,
    moddleExtensions: { spiffworkflow: SPIFF } });
  window.xietongModeler = modeler;  // for the browser tests
  var forms = {};
  Object.keys(config.forms || {}).forEach(function (name) {
    forms[name] = JSON.stringify(config.forms[name], null, 2);
  });

  // --- extension properties -------------------------------------------------------------------
  function propertyGroups(bo) {
    var ext = bo.extensionElements;
    return ext && ext.values ? ext.values.filter(function (v) {
      return (v.$type || "").split(":")[1] === "properties" || (v.$type || "") === "spiffworkflow:Properties";
    }) : [];
  }

  function readProperty(bo, name) {
    var found = "";
    propertyGroups(bo).forEach(function (group) {
      (group.properties || group.$children || []).forEach(function (p) {
        if (p.name === name) { found = p.value || ""; }
      });
    });
    return found;
  }

  function writeProperty(element, name, value) {
    var bo = element.businessObject;
    var moddle = modeler.get("moddle");
    var modeling = modeler.get("modeling");
    value = (value || "").trim();
    var ext = bo.extensionElements;
    if (!ext) {
      if (!value) { return; }
      ext = moddle.create("bpmn:ExtensionElements", { values: [] });
      modeling.updateProperties(element, { extensionElements: ext });
    }
    var group = (ext.values || []).filter(function (v) { return v.$type === "spiffworkflow:Properties"; })[0];
    if (!group) {
      if (!value) { return; }
      group = moddle.create("spiffworkflow:Properties", { properties: [] });
      group.$parent = ext;
      modeling.updateModdleProperties(element, ext, { values: (ext.values || []).concat([group]) });
    }
    var existing = (group.properties || []).filter(function (p) { return p.name === name; })[0];
    if (!value) {
      if (existing) {
        modeling.updateModdleProperties(element, group, {
          properties: group.properties.filter(function (p) { return p !== existing; }) });
      }
    } else if (existing) {
      modeling.updateModdleProperties(element, existing, { value: value });
    } else {
      var prop = moddle.create("spiffworkflow:Property", { name: name, value: value });
      prop.$parent = group;
      modeling.updateModdleProperties(element, group, { properties: (group.properties || []).concat([prop]) });
    }
  }

  // --- the properties panel ---------------------------------------------------------------------
  var panel = document.getElementById("tab-properties");
  var fromPanel = false;  // the panel's own edits must not re-render it under the user's cursor

  function field(label, value, onChange, options) {
    options = options || {};
    var wrap = document.createElement("div");
    var lab = document.createElement("label");
    lab.textContent = label;
    var input;
    if (options.choices) {
      input = document.createElement("select");
      [["", "—"]].concat(options.choices).forEach(function (c) {
        var o = document.createElement("option");
        o.value = c[0]; o.textContent = c[1] && c[1] !== c[0] ? c[0] + " · " + c[1] : c[0];
        input.appendChild(o);
      });
      if (value && !options.choices.some(function (c) { return c[0] === value; })) {
        var extra = document.createElement("option"); extra.value = value; extra.textContent = value;
        input.appendChild(extra);
      }
    } else if (options.multiline) {
      input = document.createElement("textarea"); input.rows = 3;
    } else {
      input = document.createElement("input");
      if (options.list) { input.setAttribute("list", options.list); }
    }
    input.value = value || "";
    if (options.placeholder) { input.placeholder = options.placeholder; }
    input.dataset.prop = options.key || label;
    lab.appendChild(input);
    input.addEventListener("change", function () {
      fromPanel = true;
      try { onChange(input.value); } finally { fromPanel = false; }
    });
    wrap.appendChild(lab);
    panel.appendChild(wrap);
    return input;
  }

  function heading(text) {
    var h = document.createElement("h3"); h.textContent = text; panel.appendChild(h);
  }

  function formsDatalist() {
    var list = document.getElementById("form-names") || document.createElement("datalist");
    list.id = "form-names"; list.innerHTML = "";
    Object.keys(forms).forEach(function (n) { var o = document.createElement("option"); o.value = n; list.appendChild(o); });
    document.body.appendChild(list);
  }

  function renderPanel(element) {
    var modeling = modeler.get("modeling");
    panel.innerHTML = "";
    panel.dataset.element = element && element.id || "";
    formsDatalist();
    if (!element || !element.businessObject) { panel.textContent = T.select; return; }
    var bo = element.businessObject;
    var type = bo.$type;
    if (type === "bpmn:Process" || type === "bpmn:Participant" || type === "bpmn:Collaboration") {
      var proc = type === "bpmn:Participant" ? bo.processRef : (type === "bpmn:Collaboration" ? null : bo);
      if (type === "bpmn:Collaboration") {
        var first = modeler.get("elementRegistry").filter(function (e) { return e.type === "bpmn:Participant"; })[0];
        if (first) { renderPanel(first); return; }
      }
      heading(T.process);
      if (proc) {
        field(T.processKey, proc.id, function (v) {
          modeling.updateModdleProperties(element, proc, { id: v.trim(), isExecutable: true });
        }, { key: "processKey" });
        field(T.name, proc.name, function (v) {
          modeling.updateModdleProperties(element, proc, { name: v, isExecutable: true });
          if (type === "bpmn:Participant") { modeling.updateProperties(element, { name: v }); }
        }, { key: "processName" });
      }
      return;
    }
    heading(type.replace("bpmn:", ""));
    field(T.id, bo.id, function (v) { modeling.updateProperties(element, { id: v.trim() }); }, { key: "id" });
    field(T.name, bo.name, function (v) { modeling.updateProperties(element, { name: v }); }, { key: "name" });
    if (type === "bpmn:Lane") {
      field(T.agencyType, readProperty(bo, "agencyType"), function (v) { writeProperty(element, "agencyType", v); },
        { key: "agencyType", choices: config.agencyTypes });
      field(T.agencyFrom, readProperty(bo, "agencyFrom"), function (v) { writeProperty(element, "agencyFrom", v); },
        { key: "agencyFrom" });
    } else if (type === "bpmn:UserTask") {
      TASK_PROPS.forEach(function (name) {
        field(T[name] || name, readProperty(bo, name), function (v) { writeProperty(element, name, v); }, {
          key: name, list: name === "form" ? "form-names" : null,
          placeholder: name === "deadline" || name === "remindBefore" || name === "extension" ? T.hintDeadline :
            (name === "copyTo" || name === "escalateTo" || name === "notify" ? T.hintLanes : "") });
      });
    } else if (type === "bpmn:SequenceFlow") {
      var cond = bo.conditionExpression ? bo.conditionExpression.body : "";
      field(T.condition, cond, function (v) {
        var expr = v.trim() ? modeler.get("moddle").create("bpmn:FormalExpression", { body: v.trim() }) : undefined;
        modeling.updateProperties(element, { conditionExpression: expr });
      }, { key: "condition" });
    } else if (type === "bpmn:ScriptTask") {
      field(T.script, bo.script, function (v) {
        modeling.updateProperties(element, { scriptFormat: "python", script: v });
      }, { key: "script", multiline: true });
    } else if (/Event$/.test(type)) {
      EVENT_PROPS.forEach(function (name) {
        field(T[name] || name, readProperty(bo, name), function (v) { writeProperty(element, name, v); }, { key: name });
      });
    }
  }

  modeler.on("selection.changed", function (e) {
    if (e.newSelection.length === 1) { showTab("properties"); }
    renderPanel(e.newSelection.length === 1 ? e.newSelection[0] : modeler.get("canvas").getRootElement());
  });
  modeler.on("element.changed", function (e) {
    var selected = modeler.get("selection").get();
    if (!fromPanel && selected.length === 1 && selected[0] === e.element) {
      renderPanel(e.element);
    }
  });

  // --- forms ------------------------------------------------------------------------------------
  var formsList = document.getElementById("forms-list");
  function renderForms() {
    formsList.innerHTML = "";
    Object.keys(forms).sort().forEach(function (name) {
      var box = document.createElement("div"); box.className = "form-file"; box.dataset.form = name;
      var head = document.createElement("div");
      var title = document.createElement("strong"); title.textContent = name; head.appendChild(title);
      var remove = document.createElement("button"); remove.type = "button"; remove.className = "small";
      remove.textContent = T.remove; remove.style.float = "right";
      remove.addEventListener("click", function () { delete forms[name]; renderForms(); });
      head.appendChild(remove); box.appendChild(head);
      var text = document.createElement("textarea"); text.value = forms[name]; text.spellcheck = false;
      var note = document.createElement("div"); note.className = "bad";
      text.addEventListener("input", function () {
        forms[name] = text.value;
        try { JSON.parse(text.value); note.textContent = ""; } catch (err) { note.textContent = T.badJson; }
      });
      box.appendChild(text); box.appendChild(note); formsList.appendChild(box);
    });
    document.getElementById("form-count").textContent = Object.keys(forms).length;
  }
  document.getElementById("add-form").addEventListener("click", function () {
    var input = document.getElementById("new-form-name");
    var name = input.value.trim();
    if (!name) { return; }
    if (!/\.json$/.test(name)) { name += ".json"; }
    if (!forms[name]) {
      forms[name] = JSON.stringify({ type: "object", title: name.replace(/\.json$/, ""), properties: {} }, null, 2);
    }
    input.value = ""; renderForms();
  });

  // --- tabs -------------------------------------------------------------------------------------
  document.querySelectorAll("[data-tab]").forEach(function (tab) {
    tab.addEventListener("click", function (event) {
      event.preventDefault(); showTab(tab.dataset.tab);
    });
  });
  function showTab(name) {
    document.querySelectorAll("[data-tab]").forEach(function (t) { t.classList.toggle("on", t.dataset.tab === name); });
    ["properties", "forms", "problems"].forEach(function (n) {
      document.getElementById("tab-" + n).hidden = n !== name;
    });
  }

  // --- validate and deploy ----------------------------------------------------------------------
  var status = document.getElementById("modeler-status");
  function say(text, kind) { status.hidden = false; status.className = "flash " + kind; status.textContent = text; }
  var marked = [];
  function showProblems(errors) {
    var canvas = modeler.get("canvas"), registry = modeler.get("elementRegistry");
    marked.forEach(function (id) { if (registry.get(id)) { canvas.removeMarker(id, "has-error"); } });
    marked = [];
    var list = document.getElementById("problems"); list.innerHTML = "";
    (errors || []).forEach(function (e) {
      var li = document.createElement("li"); li.dataset.element = e.element || "";
      if (e.element) {
        var code = document.createElement(e.name ? "strong" : "code"); code.textContent = e.name || e.element; li.appendChild(code);
        li.appendChild(document.createTextNode(" "));
        var el = registry.get(e.element);
        if (el) {
          canvas.addMarker(e.element, "has-error"); marked.push(e.element);
          li.addEventListener("click", function () { modeler.get("selection").select(el); showTab("properties"); });
        }
      }
      li.appendChild(document.createTextNode(e.message)); list.appendChild(li);
    });
    document.getElementById("problem-count").textContent = (errors || []).length;
  }
  function send(url) {
    return modeler.saveXML({ format: true }).then(function (result) {
      return fetch(url, { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ xml: result.xml, forms: forms }) });
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false, errors: [], message: T.failed + " " + response.status }; });
    });
  }
  function handle(body, success) {
    var warnings = body.warnings || [];
    showProblems((body.errors || []).concat(warnings));
    if (body.ok && warnings.length) { say(success(body) + " " + T.warnings, "warning"); showTab("problems"); }
    else if (body.ok) { say(success(body), "success"); showTab("properties"); }
    else { say(T.invalid + " " + (body.message || ""), "error"); showTab("problems"); }
  }
  document.getElementById("validate").addEventListener("click", function () {
    send(config.validateUrl).then(function (body) { handle(body, function () { return T.valid; }); });
  });
  document.getElementById("deploy").addEventListener("click", function () {
    send(config.deployUrl).then(function (body) {
      handle(body, function (b) { return b.created ? T.deployed + ": " + b.key + " v" + b.version : T.unchanged; });
    });
  });
  document.getElementById("download").addEventListener("click", function () {
    modeler.saveXML({ format: true }).then(function (result) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([result.xml], { type: "application/xml" }));
      link.download = "diagram.bpmn"; link.click();
    });
  });
  document.getElementById("open-file").addEventListener("change", function (event) {
    var file = event.target.files[0];
    if (file) { file.text().then(open); }
  });

  // --- loading ----------------------------------------------------------------------------------
  function open(xml) {
    return modeler.importXML(xml).then(function (result) {
      modeler.get("canvas").zoom("fit-viewport", "auto");
      renderPanel(modeler.get("canvas").getRootElement());
      container.dataset.rendered = "true";
      container.dataset.warnings = String((result.warnings || []).length);
      showProblems([]);
      return result;
    }).catch(function (err) {
      container.dataset.rendered = "error";
      say(String(err && err.message || err), "error");
      throw err;
    });
  }
  window.xietongOpen = open;
  renderForms();
  var source = container.dataset.src;
  (source ? fetch(source, { credentials: "same-origin" }).then(function (r) { return r.text(); })
          : Promise.resolve(EMPTY)).then(open);
})();
