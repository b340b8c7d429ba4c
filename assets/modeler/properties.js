// This project's settings are extension properties: name/value pairs in any *:properties element
// (docs/diagrams.md §2). They are read from whichever namespace a tool wrote and written as
// spiffworkflow:property, which SpiffWorkflow's parser reads.

export const SPIFF = {
  name: 'SpiffWorkflow', prefix: 'spiffworkflow', uri: 'http://spiffworkflow.org/bpmn/schema/1.0/core',
  xml: { tagAlias: 'lowerCase' }, associations: [],
  types: [
    { name: 'Properties', superClass: [ 'Element' ],
      properties: [ { name: 'properties', type: 'Property', isMany: true } ] },
    { name: 'Property', superClass: [ 'Element' ],
      properties: [ { name: 'name', type: 'String', isAttr: true }, { name: 'value', type: 'String', isAttr: true } ] }
  ]
};

function propertyGroups(bo) {
  const ext = bo && bo.extensionElements;
  return ext && ext.values ? ext.values.filter(v => /(^|:)properties$/i.test(v.$type || '')) : [];
}

/** The value of extension property `name` on a business object ('' when absent). */
export function readProperty(bo, name) {
  let found = '';
  propertyGroups(bo).forEach(group => {
    (group.properties || group.$children || []).forEach(p => {
      if (p.name === name) { found = p.value || ''; }
    });
  });
  return found;
}

/** Set (or, with an empty value, remove) extension property `name` of a diagram element. */
export function writeProperty(element, name, value, moddle, modeling, bo) {
  bo = bo || element.businessObject;
  value = (value === undefined || value === null ? '' : String(value)).trim();
  let ext = bo.extensionElements;
  if (!ext) {
    if (!value) { return; }
    ext = moddle.create('bpmn:ExtensionElements', { values: [] });
    modeling.updateModdleProperties(element, bo, { extensionElements: ext });
  }
  let group = (ext.values || []).filter(v => v.$type === 'spiffworkflow:Properties')[0];
  if (!group) {
    if (!value) { return; }
    group = moddle.create('spiffworkflow:Properties', { properties: [] });
    group.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: (ext.values || []).concat([ group ]) });
  }
  const existing = (group.properties || []).filter(p => p.name === name)[0];
  if (!value) {
    if (existing) {
      modeling.updateModdleProperties(element, group, { properties: group.properties.filter(p => p !== existing) });
    }
  } else if (existing) {
    modeling.updateModdleProperties(element, existing, { value });
  } else {
    const prop = moddle.create('spiffworkflow:Property', { name, value });
    prop.$parent = group;
    modeling.updateModdleProperties(element, group, { properties: (group.properties || []).concat([ prop ]) });
  }
}

/** A lane list property (`copyTo`, `escalateTo`, `notify`) as [[laneId, role], ...]. */
export function parseLaneList(text) {
  return (text || '').split(',').map(s => s.trim()).filter(Boolean).map(entry => {
    const at = entry.indexOf(':');
    return at < 0 ? [ entry, '' ] : [ entry.slice(0, at).trim(), entry.slice(at + 1).trim() ];
  });
}

/** The list with lane `laneId` set to `choice` ('' removes it, '*' any role, else that role); order kept. */
export function withLane(text, laneId, choice) {
  const entries = parseLaneList(text);
  const index = entries.findIndex(e => e[0] === laneId);
  const entry = choice ? [ laneId, choice === '*' ? '' : choice ] : null;
  if (index >= 0) {
    entries.splice(index, 1, ...(entry ? [ entry ] : []));
  } else if (entry) {
    entries.push(entry);
  }
  return entries.map(e => e[1] ? e[0] + ':' + e[1] : e[0]).join(',');
}
