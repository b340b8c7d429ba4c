// The properties of this project (docs/diagrams.md) as groups of the bpmn-js properties panel:
// agency types, roles, forms and lanes are chosen from lists, never typed as ids.
import { is } from 'bpmn-js/lib/util/ModelUtil';
import {
  CheckboxEntry, Group, SelectEntry, TextAreaEntry, TextFieldEntry,
  isCheckboxEntryEdited, isSelectEntryEdited, isTextAreaEntryEdited, isTextFieldEntryEdited
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';

import { parseLaneList, readProperty, withLane, writeProperty } from './properties';

const LOW_PRIORITY = 500;  // after the library's own groups (General, Documentation, Timer, ...)

/** The business object holding a shape's process settings (a participant's process). */
function processOf(element) {
  const bo = element.businessObject;
  return is(element, 'bpmn:Participant') ? bo.processRef : bo;
}

function PropertyField(props) {
  const { element, id, property, label, description, kind, options, holder } = props;
  const modeling = useService('modeling');
  const moddle = useService('moddle');
  const debounce = useService('debounceInput');
  const bo = holder ? holder(element) : element.businessObject;
  const getValue = () => readProperty(bo, property);
  const setValue = value => writeProperty(element, property, value, moddle, modeling, bo);
  if (kind === 'select') {
    return SelectEntry({ element, id, label, description, getValue, setValue, getOptions: () => {
      const list = [ { value: '', label: '—' } ].concat(options());
      const current = getValue();
      return current && !list.some(o => o.value === current) ? list.concat([ { value: current, label: current } ]) : list;
    } });
  }
  if (kind === 'checkbox') {
    return CheckboxEntry({ element, id, label, description,
      getValue: () => getValue() === 'true', setValue: value => setValue(value ? 'true' : '') });
  }
  if (kind === 'textarea') {
    return TextAreaEntry({ element, id, label, description, getValue, setValue, debounce, rows: 3, monospace: true,
      translate: useService('translate') });
  }
  return TextFieldEntry({ element, id, label, description, getValue, setValue, debounce });
}

function LaneChoice(props) {
  const { element, id, property, lane, label, roles, anyRole } = props;
  const modeling = useService('modeling');
  const moddle = useService('moddle');
  const bo = element.businessObject;
  const current = () => parseLaneList(readProperty(bo, property)).filter(e => e[0] === lane.id)[0];
  const setChoice = choice => writeProperty(element, property, withLane(readProperty(bo, property), lane.id, choice),
    moddle, modeling);
  if (!roles) {
    return CheckboxEntry({ element, id, label, getValue: () => !!current(), setValue: v => setChoice(v ? '*' : '') });
  }
  return SelectEntry({ element, id, label,
    getValue: () => { const e = current(); return e ? (e[1] || '*') : ''; },
    setValue: setChoice,
    getOptions: () => [ { value: '', label: '—' }, { value: '*', label: anyRole } ].concat(roles()) });
}

function ScriptField(props) {
  const { element, id, label } = props;
  const modeling = useService('modeling');
  const debounce = useService('debounceInput');
  return TextAreaEntry({ element, id, label, debounce, rows: 6, monospace: true, translate: useService('translate'),
    getValue: () => element.businessObject.script || '',
    setValue: value => modeling.updateProperties(element, { scriptFormat: 'python', script: value }) });
}

function ConditionField(props) {
  const { element, id, label } = props;
  const modeling = useService('modeling');
  const moddle = useService('moddle');
  const debounce = useService('debounceInput');
  return TextAreaEntry({ element, id, label, debounce, rows: 2, monospace: true, translate: useService('translate'),
    getValue: () => (element.businessObject.conditionExpression || {}).body || '',
    setValue: value => modeling.updateProperties(element, { conditionExpression: (value || '').trim()
      ? moddle.create('bpmn:FormalExpression', { body: value.trim() }) : undefined }) });
}

const EDITED = { select: isSelectEntryEdited, checkbox: isCheckboxEntryEdited, textarea: isTextAreaEntryEdited };

export default function XietongPropertiesProvider(propertiesPanel, elementRegistry, config, translate) {
  const T = config.text;
  const roleOptions = () => config.roles.map(r => ({ value: r[0], label: r[1] }));
  const typeOptions = () => config.agencyTypes.map(t => ({ value: t[0], label: t[1] }));
  const formOptions = () => config.formNames().map(n => ({ value: n, label: n }));
  const lanes = () => elementRegistry.filter(e => is(e, 'bpmn:Lane'))
    .sort((a, b) => a.y - b.y || a.x - b.x).map(e => ({ id: e.id, name: e.businessObject.name || e.id }));

  function field(element, property, kind, extra) {
    return Object.assign({ id: property, element, property, label: T[property] || property,
      kind: kind || 'text', component: PropertyField, isEdited: EDITED[kind] || isTextFieldEntryEdited }, extra);
  }

  function group(id, label, entries) {
    // The panel's own texts (toggle, "contains edits") in the page language: a group translates only when told how.
    return entries.length ? { id, label, component: Group, entries, translate } : null;
  }

  function laneGroup(element, property, withRoles) {
    const entries = lanes().map(lane => ({ id: property + '-' + lane.id, element, property, lane, label: lane.name,
      roles: withRoles ? roleOptions : null, anyRole: T.anyRole, component: LaneChoice,
      isEdited: withRoles ? isSelectEntryEdited : isCheckboxEntryEdited }));
    return entries.length ? entries : [ field(element, property, 'text', { description: T.noLanes }) ];
  }

  function notifyGroup(element) {
    return group('xietong-notify', T.notifyGroup, laneGroup(element, 'notify', true).concat([
      field(element, 'noticeKind'), field(element, 'noticeTitle', 'text', { description: T.hintNoticeTitle }) ]));
  }

  function taskGroups(element) {
    const deadline = { description: T.hintDeadline };
    return [
      group('xietong-task', T.taskGroup, [
        field(element, 'role', 'select', { options: roleOptions, description: T.hintRole }),
        field(element, 'form', 'select', { options: formOptions, description: T.hintForm }),
        field(element, 'deadline', 'text', deadline),
        field(element, 'deadlineFrom', 'text', { description: T.hintField }),
        field(element, 'deadlineDate', 'text', { description: T.hintDeadlineDate }),
        field(element, 'remindBefore', 'text', deadline),
        field(element, 'priority'),
        field(element, 'titleAgency', 'text', { description: T.hintField }),
        field(element, 'trackPerAgency', 'checkbox'),
        field(element, 'prefill', 'textarea', { description: T.hintPrefill })
      ]),
      group('xietong-extension', T.extensionGroup, [
        field(element, 'extension', 'text', deadline),
        field(element, 'extensionRole', 'select', { options: roleOptions }),
        field(element, 'maxExtensions')
      ]),
      group('xietong-copyTo', T.copyTo, laneGroup(element, 'copyTo', false)),
      group('xietong-escalateTo', T.escalateTo, laneGroup(element, 'escalateTo', true)),
      notifyGroup(element),
      group('xietong-statistics', T.statisticsGroup, [
        field(element, 'measure', 'text', { description: T.hintCode }),
        field(element, 'kpi', 'text', { description: T.hintCode }), field(element, 'kpiName')
      ])
    ];
  }

  function groupsOf(element) {
    const measure = () => group('xietong-statistics', T.statisticsGroup,
      [ field(element, 'measure', 'text', { description: T.hintCode }) ]);
    if (is(element, 'bpmn:Lane')) {
      return [ group('xietong-lane', T.laneGroup, [
        field(element, 'agencyType', 'select', { options: typeOptions }),
        field(element, 'agencyFrom', 'text', { description: T.hintField }) ]) ];
    }
    if (is(element, 'bpmn:Process') || (is(element, 'bpmn:Participant') && element.businessObject.processRef)) {
      return [ group('xietong-process', T.processGroup, [
        field(element, 'mediationRecord', 'checkbox', { holder: processOf }) ]) ];
    }
    if (is(element, 'bpmn:UserTask')) { return taskGroups(element); }
    if (is(element, 'bpmn:StartEvent')) {
      return [ group('xietong-start', T.startGroup, [
        field(element, 'form', 'select', { options: formOptions, description: T.hintStartForm }) ]),
      notifyGroup(element), measure() ];
    }
    if (is(element, 'bpmn:EndEvent')) {
      return [ group('xietong-end', T.endGroup, [ field(element, 'outcome', 'text', { description: T.hintCode }) ]),
        notifyGroup(element), measure() ];
    }
    if (is(element, 'bpmn:ScriptTask')) {
      return [ group('xietong-script', T.script, [ { id: 'script', element, label: T.script, component: ScriptField,
        isEdited: isTextAreaEntryEdited } ]), notifyGroup(element), measure() ];
    }
    if (is(element, 'bpmn:Event')) { return [ notifyGroup(element), measure() ]; }
    if (is(element, 'bpmn:SequenceFlow')) {
      return [ group('xietong-condition', T.condition, [ { id: 'condition', element, label: T.condition,
        component: ConditionField, isEdited: isTextAreaEntryEdited } ]), measure() ];
    }
    if (is(element, 'bpmn:Activity')) { return [ measure() ]; }
    return [];
  }

  this.getGroups = function(element) {
    return groups => groups.concat(groupsOf(element).filter(Boolean));
  };
  propertiesPanel.registerProvider(LOW_PRIORITY, this);
}

XietongPropertiesProvider.$inject = [ 'propertiesPanel', 'elementRegistry', 'xietongConfig', 'translate' ];
