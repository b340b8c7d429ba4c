// bpmn-js, diagram-js and the properties panel in the page's language: the `translate` service
// of bpmn-js answered from a dictionary chosen by <html lang> (the server's choice of language).
// The panel's header writes element types in title case ("Timer Boundary Event (Non Interrupting)"),
// the menus in sentence case ("Timer boundary event (non-interrupting)"): both are looked up by a
// normalized key, so one entry serves both.
import ZH from './zh';

export function normalize(text) {
  return String(text).toLowerCase().replace(/\s+/g, ' ').trim()
    .replace(/non interrupting/g, 'non-interrupting').replace(/sub process/g, 'sub-process')
    .replace(/ad hoc/g, 'ad-hoc').replace(/event based/g, 'event-based').replace(/^compensate /, 'compensation ');
}

export function dictionaryFor(lang) {
  if (!/^zh/i.test(lang || '')) { return null; }
  const index = {};
  Object.keys(ZH).forEach(key => { index[normalize(key)] = ZH[key]; });
  return index;
}

export function makeTranslate(dictionary) {
  return function translate(template, replacements) {
    let text = template;
    if (dictionary) {
      text = dictionary[normalize(template)] || template;
    }
    replacements = replacements || {};
    return text.replace(/{([^}]+)}/g, (match, key) => (key in replacements ? String(replacements[key]) : match));
  };
}

export default function translateModule(lang) {
  return { translate: [ 'value', makeTranslate(dictionaryFor(lang)) ] };
}
