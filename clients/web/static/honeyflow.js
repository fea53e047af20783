// Draws the diagram of a process page or an instance page with bpmn-js (the navigated
// viewer, loaded before this file) and adds what the store knows: per-element badges
// (active instances, open incidents; a heat map of incidents) or an instance's path (elements completed, sequence
// flows taken, where it waits, where the incident is). The server says where to read from
// in data- attributes of #diagram; when done, #diagram gets data-state="ready" (or "error").
(function () {
  'use strict';

  const container = document.getElementById('diagram');
  if (!container) {
    return;
  }

  function setStatus(state, message) {
    container.dataset.state = state;
    let status = container.querySelector('.diagram-status');
    if (message) {
      if (!status) {
        status = document.createElement('p');
        status.className = 'diagram-status';
        container.appendChild(status);
      }
      status.textContent = message;
    } else if (status) {
      status.remove();
    }
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    if (!response.ok) {
      throw new Error(url + ': HTTP ' + response.status);
    }
    return response.json();
  }

  function badge(kind, text, title, elementId) {
    const span = document.createElement('span');
    span.className = 'hf-badge hf-badge-' + kind;
    span.textContent = text;
    span.title = title;
    span.dataset.elementId = elementId;
    return span;
  }

  function addStats(viewer, stats) {
    const overlays = viewer.get('overlays');
    const registry = viewer.get('elementRegistry');
    const root = viewer.get('canvas').getRootElement();
    // The incident heat map: each element with open incidents is filled in one of four
    // shades by its share of the process's busiest element.
    const most = Math.max(0, ...stats.elements.map((s) => s.incidents));
    for (const s of stats.elements) {
      const element = registry.get(s.elementId);
      if (element && most > 0 && s.incidents > 0 && element !== root) {
        const heat = Math.max(1, Math.ceil((4 * s.incidents) / most));
        viewer.get('canvas').addMarker(element, 'hf-heat-' + heat);
      }
      // The process itself is the canvas: its counts are in the page's summary line.
      if (!element || element === root || element.type === 'bpmn:Participant') {
        continue;
      }
      if (s.active > 0) {
        overlays.add(element, 'hf-active', {
          position: { bottom: 12, left: -10 },
          html: badge('active', String(s.active), s.active + ' active', s.elementId),
        });
      }
      if (s.incidents > 0) {
        overlays.add(element, 'hf-incidents', {
          position: { bottom: 12, right: 10 },
          html: badge('incidents', String(s.incidents), s.incidents + ' open incidents',
            s.elementId),
        });
      }
      if (s.completed > 0 && element.type === 'bpmn:EndEvent') {
        overlays.add(element, 'hf-completed', {
          position: { top: -14, left: -14 },
          html: badge('completed', String(s.completed), s.completed + ' completed here',
            s.elementId),
        });
      }
    }
  }

  function addPath(viewer, path) {
    const canvas = viewer.get('canvas');
    const overlays = viewer.get('overlays');
    const registry = viewer.get('elementRegistry');
    const mark = (ids, marker) => {
      for (const id of ids) {
        if (registry.get(id)) {
          canvas.addMarker(id, marker);
        }
      }
    };
    mark(path.taken, 'hf-taken');
    mark(path.completed, 'hf-completed');
    mark(path.terminated, 'hf-terminated');
    mark(path.active, 'hf-active');
    mark(path.incidents, 'hf-incident');
    for (const id of path.incidents) {
      if (registry.get(id)) {
        overlays.add(id, 'hf-incident', {
          position: { top: -14, right: 14 },
          html: badge('incidents', 'incident', 'open incident', id),
        });
      }
    }
  }

  async function draw() {
    if (typeof window.BpmnJS !== 'function') {
      setStatus('error', 'The diagram viewer (bpmn-js) is not installed: run `make install`' +
        ' (npm ci in web/) and restart `honeyflow web`.');
      return;
    }
    const response = await fetch(container.dataset.xml);
    if (!response.ok) {
      throw new Error('diagram: HTTP ' + response.status);
    }
    const xml = await response.text();
    const viewer = new window.BpmnJS({ container: container });
    const result = await viewer.importXML(xml);
    if (result.warnings && result.warnings.length) {
      console.warn('bpmn-js import warnings', result.warnings);
    }
    viewer.get('canvas').zoom('fit-viewport', 'auto');
    if (container.dataset.stats) {
      addStats(viewer, await getJson(container.dataset.stats));
    }
    if (container.dataset.path) {
      addPath(viewer, await getJson(container.dataset.path));
    }
    window.honeyflowViewer = viewer;
    setStatus('ready', '');
  }

  draw().catch((error) => {
    console.error(error);
    setStatus('error', 'The diagram could not be drawn: ' + error.message);
  });
})();
