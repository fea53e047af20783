// The operator's parts of an instance page, on top of honeyflow.js's diagram:
// - time travel: "Show the history" reads /api/instances/<key>/history (the instance's
//   records from the audit log, each with the instance after it) and a slider redraws the
//   diagram's markers, the token badges, the variables and the incidents after that record;
// - modify: clicking an element of the diagram adds it to the elements to activate, or ticks
//   the element instances of it to terminate (bpmn-js's element.click event).
// Everything from the server is put in as text, never as markup.
(function () {
  'use strict';

  const diagram = document.getElementById('diagram');
  const MARKERS = ['hf-taken', 'hf-completed', 'hf-terminated', 'hf-active', 'hf-incident'];

  function whenViewer() {
    return new Promise((resolve) => {
      const check = () => {
        if (!diagram || diagram.dataset.state === 'error') {
          resolve(null);
        } else if (diagram.dataset.state === 'ready' && window.honeyflowViewer) {
          resolve(window.honeyflowViewer);
        } else {
          setTimeout(check, 50);
        }
      };
      check();
    });
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    if (className) {
      node.className = className;
    }
    return node;
  }

  function table(className, headers, rows) {
    const t = el('table', null, className);
    const head = t.createTHead().insertRow();
    for (const h of headers) {
      head.appendChild(el('th', h));
    }
    const body = t.createTBody();
    if (!rows.length) {
      const cell = body.insertRow().insertCell();
      cell.colSpan = headers.length;
      cell.className = 'empty';
      cell.textContent = 'None.';
    }
    for (const row of rows) {
      const tr = body.insertRow();
      for (const value of row) {
        tr.insertCell().textContent = String(value);
      }
    }
    return t;
  }

  function badge(kind, text, title, elementId) {
    const span = el('span', text, 'hf-badge hf-badge-' + kind);
    span.title = title;
    span.dataset.elementId = elementId;
    return span;
  }

  function drawStep(viewer, step) {
    const canvas = viewer.get('canvas');
    const overlays = viewer.get('overlays');
    const registry = viewer.get('elementRegistry');
    for (const element of registry.getAll()) {
      for (const marker of MARKERS) {
        canvas.removeMarker(element, marker);
      }
    }
    overlays.remove({ type: 'hf-incident' });
    overlays.remove({ type: 'hf-token' });
    const after = step.after;
    const mark = (ids, marker) => {
      for (const id of ids) {
        if (registry.get(id)) {
          canvas.addMarker(id, marker);
        }
      }
    };
    mark(after.taken, 'hf-taken');
    mark(after.completed, 'hf-completed');
    mark(after.terminated, 'hf-terminated');
    const tokens = {};
    for (const e of after.active) {
      tokens[e.elementId] = (tokens[e.elementId] || 0) + 1;
    }
    mark(Object.keys(tokens), 'hf-active');
    for (const [id, n] of Object.entries(tokens)) {
      if (registry.get(id)) {
        overlays.add(id, 'hf-token', {
          position: { bottom: 12, left: -10 },
          html: badge('active', String(n), n + ' tokens', id),
        });
      }
    }
    const incidentIds = [...new Set(after.incidents.map((i) => i.elementId))];
    mark(incidentIds, 'hf-incident');
    for (const id of incidentIds) {
      if (registry.get(id)) {
        overlays.add(id, 'hf-incident', {
          position: { top: -14, right: 14 },
          html: badge('incidents', 'incident', 'open incident', id),
        });
      }
    }
  }

  function showStep(viewer, steps, index) {
    const step = steps[index];
    document.getElementById('tt-position').textContent =
      'record ' + (index + 1) + ' of ' + steps.length;
    const record = document.getElementById('tt-record');
    record.textContent = '';
    record.dataset.index = String(index);
    const kind = step.recordType === 'EVENT' ? '' : step.recordType + ' ';
    record.appendChild(el('code', new Date(step.timestamp).toISOString()));
    record.appendChild(document.createTextNode(
      ' ' + kind + step.valueType + ' ' + step.intent +
      (step.elementId ? ' ' + step.elementId : '') +
      (step.detail ? ' · ' + step.detail : '') +
      (step.rejectionReason ? ' · ' + step.rejectionReason : '')));
    const state = document.getElementById('tt-state');
    state.textContent = '';
    const after = step.after;
    state.appendChild(el('p', 'Instance ' + (after.state || 'not started').replace('ELEMENT_', '')
      .toLowerCase() + '; tokens at ' +
      (after.active.map((e) => e.elementId).join(', ') || 'nothing') + '.', 'tt-summary'));
    state.appendChild(table('tt-variables', ['Name', 'Value', 'Scope'],
      after.variables.map((v) => [v.name, JSON.stringify(v.value), v.scopeKey])));
    state.appendChild(table('tt-incidents', ['Incident', 'Element', 'Type', 'Message'],
      after.incidents.map((i) => [i.key, i.elementId, i.errorType, i.errorMessage])));
    if (viewer) {
      drawStep(viewer, step);
    }
  }

  async function loadHistory(section, button) {
    button.disabled = true;
    button.textContent = 'Reading the audit log…';
    const response = await fetch(section.dataset.history, { headers: { Accept: 'application/json' } });
    if (!response.ok) {
      throw new Error('history: HTTP ' + response.status);
    }
    const history = await response.json();
    const viewer = await whenViewer();
    const slider = document.getElementById('tt-slider');
    slider.max = String(history.steps.length - 1);
    slider.value = slider.max;
    section.querySelector('.tt-controls').hidden = false;
    slider.addEventListener('input', () => showStep(viewer, history.steps, Number(slider.value)));
    showStep(viewer, history.steps, history.steps.length - 1);
    button.textContent = 'History loaded';
    section.dataset.state = 'ready';
  }

  const section = document.getElementById('time-travel');
  if (section) {
    const button = document.getElementById('tt-load');
    button.addEventListener('click', () => {
      loadHistory(section, button).catch((error) => {
        console.error(error);
        section.dataset.state = 'error';
        button.textContent = 'Could not read the history: ' + error.message;
      });
    });
  }

  const modify = document.getElementById('modify-form');
  if (modify) {
    whenViewer().then((viewer) => {
      if (!viewer) {
        return;
      }
      viewer.get('eventBus').on('element.click', (event) => {
        const element = event.element;
        const root = viewer.get('canvas').getRootElement();
        if (element === root || element.type === 'bpmn:SequenceFlow' || element.type === 'label') {
          return;
        }
        const pick = modify.querySelector('input[name="pick"]:checked');
        if (!pick) {
          return;
        }
        if (pick.value === 'activate') {
          const input = document.getElementById('modify-activate');
          const ids = input.value.split(',').map((s) => s.trim()).filter((s) => s);
          if (!ids.includes(element.id)) {
            ids.push(element.id);
          }
          input.value = ids.join(', ');
          viewer.get('canvas').addMarker(element, 'hf-picked');
        } else {
          for (const box of modify.querySelectorAll('input[name="terminate"]')) {
            if (box.dataset.elementId === element.id) {
              box.checked = !box.checked;
            }
          }
        }
      });
      modify.dataset.picking = 'ready';
    });
  }
})();
