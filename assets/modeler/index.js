// The admin's modeler page: bpmn-js with the bpmn-js properties panel and this project's provider,
// in the page's language; the forms deployed with the diagram, each beside its preview as the
// work-item page renders it; validation errors marked at their elements; deploy, then a link to
// start the process.
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';

import XietongPropertiesProvider from './provider';
import translateModule from './translate';
import { SPIFF } from './properties';
import { openForms } from './forms';

const EMPTY = '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" ' +
  'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" ' +
  'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="definitions_1" ' +
  'targetNamespace="urn:xietong:bpmn">\n' +
  '  <bpmn:process id="new_process" name="" isExecutable="true">\n' +
  '    <bpmn:startEvent id="start" />\n  </bpmn:process>\n' +
  '  <bpmndi:BPMNDiagram id="diagram_1"><bpmndi:BPMNPlane id="plane_1" bpmnElement="new_process">\n' +
  '    <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="180" y="160" width="36" height="36" />' +
  '</bpmndi:BPMNShape>\n  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</bpmn:definitions>\n';

const OPEN_GROUPS = [ 'general', 'xietong-lane', 'xietong-process', 'xietong-task', 'xietong-start', 'xietong-end', 'xietong-extension',
  'xietong-copyTo', 'xietong-escalateTo', 'xietong-notify', 'xietong-condition', 'xietong-script' ];

/** A process whose key (id) or name is edited becomes executable: the one a deployment takes. */
function ExecutableOnEdit(eventBus, modeling) {
  eventBus.on('commandStack.element.updateModdleProperties.postExecuted', event => {
    const { moddleElement, properties, element } = event.context;
    if (moddleElement && moddleElement.$type === 'bpmn:Process' && ('id' in properties || 'name' in properties) &&
        moddleElement.isExecutable !== true) {
      modeling.updateModdleProperties(element, moddleElement, { isExecutable: true });
    }
  });
  eventBus.on('commandStack.element.updateProperties.postExecuted', event => {
    const { element, properties } = event.context;
    const bo = element.businessObject;
    if (bo.$type === 'bpmn:Process' && ('id' in properties || 'name' in properties) && bo.isExecutable !== true) {
      modeling.updateProperties(element, { isExecutable: true });
    }
  });
}
ExecutableOnEdit.$inject = [ 'eventBus', 'modeling' ];

/**
 * diagram-js writes the popup search's count in English ("3 results found"), outside its translate
 * service: on a page in another language the count is written again in the page's words.
 */
function localizeSearchCount(lang, template) {
  if (/^en/i.test(lang || '') || !template) { return; }
  const pattern = /^\s*(\d+)\s+results?\s+found\s*$/;
  new MutationObserver(() => {
    document.querySelectorAll('.djs-popup-search-count').forEach(node => {
      const found = pattern.exec(node.textContent);
      if (found) { node.textContent = template.replace('{count}', found[1]); }
    });
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
}

/**
 * The properties panel's own groups and text areas (General, Documentation) write their buttons' titles
 * ("Toggle section", "Open pop-up editor") through a fallback, not the translate service: they are written
 * again through it, in the page's words.
 */
function localizePanelTitles(panel, translate) {
  const localize = () => panel.querySelectorAll('[title]').forEach(node => {
    const title = translate(node.title);
    if (title !== node.title) { node.title = title; }
  });
  new MutationObserver(localize).observe(panel, { childList: true, subtree: true, attributes: true,
    attributeFilter: [ 'title' ] });
  localize();
}

function start() {
  const config = JSON.parse(document.getElementById('modeler-config').textContent);
  const T = config.text;
  const csrf = document.querySelector('meta[name=csrf-token]').content;
  const container = document.getElementById('canvas');
  const panel = document.getElementById('tab-properties');
  const forms = {};
  Object.keys(config.forms || {}).forEach(name => { forms[name] = JSON.stringify(config.forms[name], null, 2); });
  config.formNames = () => Object.keys(forms).sort();

  const modeler = new Modeler({
    container,
    propertiesPanel: { parent: panel, layout: { open: true,
      groups: Object.fromEntries(OPEN_GROUPS.map(id => [ id, { open: true } ])) } },
    additionalModules: [
      BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, translateModule(document.documentElement.lang),
      { __init__: [ 'xietongProvider', 'executableOnEdit' ], xietongConfig: [ 'value', config ],
        xietongProvider: [ 'type', XietongPropertiesProvider ], executableOnEdit: [ 'type', ExecutableOnEdit ] }
    ],
    moddleExtensions: { spiffworkflow: SPIFF }
  });
  window.xietongModeler = modeler;  // for the browser tests
  localizeSearchCount(document.documentElement.lang, T.searchCount);
  localizePanelTitles(panel, modeler.get('translate'));

  // The panel's element, for people (its header) and tests (data-element): the selection, else the root.
  function showing() {
    const selected = modeler.get('selection').get();
    const element = selected.length === 1 ? selected[0] : modeler.get('canvas').getRootElement();
    panel.dataset.element = element && element.id || '';
  }
  let changes = 0;
  modeler.on('selection.changed', event => { if (event.newSelection.length === 1) { showTab('properties'); } showing(); });
  modeler.on('element.changed', showing);
  modeler.on('commandStack.changed', () => { changes += 1; container.dataset.changes = String(changes); });

  const formsTab = openForms({ forms, T, csrf, previewUrl: config.previewUrl,
    onChange: () => modeler.get('eventBus').fire('propertiesPanel.providersChanged') });

  // --- tabs ---------------------------------------------------------------------------------------
  document.querySelectorAll('[data-tab]').forEach(tab => {
    tab.addEventListener('click', event => { event.preventDefault(); showTab(tab.dataset.tab); });
  });
  function showTab(name) {
    document.querySelectorAll('[data-tab]').forEach(t => t.classList.toggle('on', t.dataset.tab === name));
    [ 'properties', 'forms', 'problems' ].forEach(n => { document.getElementById('tab-' + n).hidden = n !== name; });
    document.querySelector('.modeler').classList.toggle('forms-open', name === 'forms');
    modeler.get('canvas').resized();  // the side panel is wider for the forms
    if (name === 'forms') { formsTab.previewAll(); }
  }

  // --- validate and deploy --------------------------------------------------------------------------
  const status = document.getElementById('modeler-status');
  function say(text, kind, link) {
    status.hidden = false; status.className = 'flash ' + kind; status.textContent = text;
    if (link) {
      const a = document.createElement('a');
      a.href = link.href; a.textContent = link.text; a.dataset.testid = 'start-link'; a.className = 'button small';
      status.appendChild(document.createTextNode(' ')); status.appendChild(a);
    }
  }
  let marked = [];
  function showProblems(errors) {
    const canvas = modeler.get('canvas'), registry = modeler.get('elementRegistry');
    marked.forEach(id => { if (registry.get(id)) { canvas.removeMarker(id, 'has-error'); } });
    marked = [];
    const list = document.getElementById('problems'); list.innerHTML = '';
    (errors || []).forEach(e => {
      const li = document.createElement('li'); li.dataset.element = e.element || '';
      const el = e.element && registry.get(e.element);
      if (e.element) {
        const label = document.createElement('strong');
        label.textContent = el && el.businessObject && el.businessObject.name || e.element;
        li.appendChild(label); li.appendChild(document.createTextNode(' '));
      }
      if (el) {
        canvas.addMarker(e.element, 'has-error'); marked.push(e.element);
        li.addEventListener('click', () => { modeler.get('selection').select(el); showTab('properties'); });
      }
      li.appendChild(document.createTextNode(e.message)); list.appendChild(li);
    });
    document.getElementById('problem-count').textContent = (errors || []).length;
  }
  function send(url) {
    return modeler.saveXML({ format: true }).then(result => fetch(url, { method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf },
      body: JSON.stringify({ xml: result.xml, forms }) }))
      .then(response => response.json().catch(() => ({ ok: false, errors: [], message: T.failed + ' ' + response.status })));
  }
  function handle(body, success, link) {
    const warnings = body.warnings || [];
    showProblems((body.errors || []).concat(warnings));
    if (body.ok && warnings.length) { say(success(body) + ' ' + T.warnings, 'warning', link); showTab('problems'); }
    else if (body.ok) { say(success(body), 'success', link); showTab('properties'); }
    else { say(T.invalid + ' ' + (body.message || ''), 'error'); showTab('problems'); }
  }
  document.getElementById('validate').addEventListener('click', () => {
    send(config.validateUrl).then(body => handle(body, () => T.valid));
  });
  document.getElementById('deploy').addEventListener('click', () => {
    send(config.deployUrl).then(body => handle(body,
      b => (b.created ? T.deployed + ': ' + b.key + ' v' + b.version : T.unchanged),
      body.start_url ? { href: body.start_url, text: T.startCase } : null));
  });
  document.getElementById('download').addEventListener('click', () => {
    modeler.saveXML({ format: true }).then(result => {
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([ result.xml ], { type: 'application/xml' }));
      link.download = 'diagram.bpmn'; link.click();
    });
  });
  document.getElementById('open-file').addEventListener('change', event => {
    const file = event.target.files[0];
    if (file) { file.text().then(open); }
  });

  // --- loading ----------------------------------------------------------------------------------------
  function open(xml) {
    return modeler.importXML(xml).then(result => {
      modeler.get('canvas').zoom('fit-viewport', 'auto');
      showing();
      container.dataset.rendered = 'true';
      container.dataset.warnings = String((result.warnings || []).length);
      showProblems([]);
      return result;
    }).catch(err => {
      container.dataset.rendered = 'error';
      say(String(err && err.message || err), 'error');
      throw err;
    });
  }
  window.xietongOpen = open;
  const source = container.dataset.src;
  (source ? fetch(source, { credentials: 'same-origin' }).then(r => r.text()) : Promise.resolve(EMPTY)).then(open);
}

start();
