// The task page's form: draws the task's Camunda form with form-js (the viewer, loaded
// before this file) prefilled with the variables the task sees, and on Complete puts the
// form's data, as JSON, into the complete form's `variables` field; a task without a form
// has a JSON editor instead, checked here before anything is sent (the server checks
// again). When done, #task-form gets data-state="ready" (or "error").
(function () {
  'use strict';

  const complete = document.querySelector('form.task-complete');
  const container = document.getElementById('task-form');

  function isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  }

  function setStatus(state, message) {
    container.dataset.state = state;
    let status = container.querySelector('.form-status');
    if (message) {
      if (!status) {
        status = document.createElement('p');
        status.className = 'form-status';
        container.prepend(status);
      }
      status.textContent = message;
    } else if (status) {
      status.remove();
    }
  }

  // A task without a form: the variables are a JSON object typed in by hand.
  function wireEditor() {
    const editor = complete.querySelector('textarea[name="variables"]');
    const problem = complete.querySelector('.variables-error');
    if (!editor) {
      return;
    }
    const check = () => {
      let message = '';
      try {
        if (!isObject(JSON.parse(editor.value))) {
          message = 'The variables must be a JSON object, like {"approved": true}.';
        }
      } catch (error) {
        message = 'Not JSON: ' + error.message;
      }
      problem.textContent = message;
      editor.setAttribute('aria-invalid', message ? 'true' : 'false');
      return message === '';
    };
    editor.addEventListener('input', check);
    complete.addEventListener('submit', (event) => {
      if (!check()) {
        event.preventDefault();
        editor.focus();
      }
    });
  }

  async function drawForm() {
    if (!window.FormViewer || typeof window.FormViewer.Form !== 'function') {
      throw new Error('the form viewer (form-js) is not installed: run `make install`' +
        ' (npm ci in web/) and restart `honeyflow web`');
    }
    const response = await fetch(container.dataset.form, {
      headers: { Accept: 'application/json' },
    });
    const json = (response.headers.get('Content-Type') || '').startsWith('application/json');
    const answer = json ? await response.json() : {};
    if (!response.ok) {
      throw new Error(answer.error || ('HTTP ' + response.status));
    }
    // No debounce: form-js otherwise holds a typed value back for 300 ms, and a Complete
    // clicked within them would send the value before it.
    const form = new window.FormViewer.Form({ container: container, debounce: false });
    await form.importSchema(answer.schema, answer.variables);
    window.honeyflowForm = form;
    const hidden = complete && complete.querySelector('input[name="variables"]');
    const problem = document.createElement('p');
    problem.className = 'variables-error error-message';
    problem.setAttribute('role', 'alert');
    if (!complete) {
      // A task that is not open any more: its form shows the variables, nothing to send.
      form.setProperty('readOnly', true);
    }
    if (complete) {
      complete.prepend(problem);
      complete.addEventListener('submit', (event) => {
        const result = form.submit();
        const invalid = Object.keys(result.errors || {});
        if (invalid.length) {
          event.preventDefault();
          problem.textContent = 'Fill in the form first: ' + invalid.length +
            ' field(s) are not valid.';
          return;
        }
        hidden.value = JSON.stringify(result.data);
      });
    }
    setStatus('ready', '');
  }

  if (complete && complete.dataset.form === 'false') {
    wireEditor();
  }
  if (container) {
    drawForm().catch((error) => {
      console.error(error);
      setStatus('error', 'The form could not be shown: ' + error.message);
      const button = complete && complete.querySelector('button');
      if (button) {
        button.disabled = true;
      }
    });
  }
})();
