// The Forms tab: each JSON Schema deployed with the diagram, edited as text beside its preview.
// The preview is the server's rendering of the schema through the work-item page's own form
// macros (POST previewUrl), so it shows the form exactly as the work-item page will.

const PREVIEW_DELAY_MS = 300;

export function openForms({ forms, T, csrf, previewUrl, onChange }) {
  const list = document.getElementById('forms-list');
  const previews = {};

  function preview(name) {
    const box = previews[name];
    if (!box) { return; }
    let schema;
    try { schema = JSON.parse(forms[name]); } catch (err) { return; }
    const asked = forms[name];
    fetch(previewUrl, { method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf },
      body: JSON.stringify({ schema }) })
      // a redirect is the sign-in page (the session ended), not a preview
      .then(response => response.text().then(text => ({ ok: response.ok && !response.redirected, text })))
      .then(answer => {
        if (forms[name] !== asked) { return; }  // a later edit's preview is on its way
        box.innerHTML = answer.ok ? answer.text : '';
        box.dataset.state = answer.ok ? 'shown' : 'failed';
        if (!answer.ok) { box.textContent = T.previewFailed; }
      });
  }

  function render() {
    list.innerHTML = '';
    Object.keys(previews).forEach(name => { delete previews[name]; });
    Object.keys(forms).sort().forEach(name => {
      const box = document.createElement('div'); box.className = 'form-file'; box.dataset.form = name;
      const head = document.createElement('div'); head.className = 'form-file-head';
      const title = document.createElement('strong'); title.textContent = name; head.appendChild(title);
      const remove = document.createElement('button'); remove.type = 'button'; remove.className = 'small';
      remove.textContent = T.remove;
      remove.addEventListener('click', () => { delete forms[name]; render(); onChange(); });
      head.appendChild(remove); box.appendChild(head);
      const editor = document.createElement('div'); editor.className = 'form-editor';
      const text = document.createElement('textarea'); text.value = forms[name]; text.spellcheck = false;
      text.setAttribute('aria-label', T.schemaOf + ' ' + name);
      const note = document.createElement('div'); note.className = 'bad';
      let timer = null;
      text.addEventListener('input', () => {
        forms[name] = text.value;
        try { JSON.parse(text.value); note.textContent = ''; } catch (err) { note.textContent = T.badJson; }
        clearTimeout(timer); timer = setTimeout(() => preview(name), PREVIEW_DELAY_MS);
      });
      editor.appendChild(text); editor.appendChild(note);
      const shown = document.createElement('div'); shown.className = 'form-preview';
      const caption = document.createElement('div'); caption.className = 'hint'; caption.textContent = T.preview;
      const rendered = document.createElement('div'); rendered.className = 'form-preview-body';
      rendered.dataset.testid = 'form-preview';
      shown.appendChild(caption); shown.appendChild(rendered);
      previews[name] = rendered;
      const pair = document.createElement('div'); pair.className = 'form-pair';
      pair.appendChild(editor); pair.appendChild(shown); box.appendChild(pair);
      list.appendChild(box);
    });
    document.getElementById('form-count').textContent = Object.keys(forms).length;
  }

  document.getElementById('add-form').addEventListener('click', () => {
    const input = document.getElementById('new-form-name');
    let name = input.value.trim();
    if (!name) { return; }
    if (!/\.json$/.test(name)) { name += '.json'; }
    if (!forms[name]) {
      forms[name] = JSON.stringify({ type: 'object', title: name.replace(/\.json$/, ''), properties: {} }, null, 2);
    }
    input.value = ''; render(); preview(name); onChange();
  });

  render();
  return { previewAll: () => Object.keys(previews).forEach(preview) };
}
