// The charts of a process page, drawn with uPlot (served from web/node_modules): instances
// started and completed per minute, and the p50 / p95 / p99 duration of the instances that
// completed in each minute, over the hours the server says. #charts gets data-state="ready"
// (or "error") when done, and data-started / data-completed with the totals drawn.
(function () {
  'use strict';

  const container = document.getElementById('charts');
  if (!container) {
    return;
  }

  function status(state, text) {
    container.dataset.state = state;
    let p = container.querySelector('.charts-status');
    if (text) {
      if (!p) {
        p = document.createElement('p');
        p.className = 'charts-status';
        container.prepend(p);
      }
      p.textContent = text;
    } else if (p) {
      p.remove();
    }
  }

  function chart(title, series, data, yLabel) {
    const box = document.createElement('div');
    box.className = 'chart';
    container.appendChild(box);
    return new window.uPlot({
      title: title,
      width: Math.max(320, Math.floor((container.clientWidth - 56) / 2)),
      height: 240,
      series: [{}, ...series],
      axes: [{}, { label: yLabel }],
      scales: { x: { time: true } },
    }, data, box);
  }

  async function draw() {
    if (typeof window.uPlot !== 'function') {
      status('error', 'The charts need uPlot: run `make install` (npm ci in web/) and restart' +
        ' `honeyflow web`.');
      return;
    }
    const response = await fetch(container.dataset.charts, { headers: { Accept: 'application/json' } });
    if (!response.ok) {
      throw new Error('charts: HTTP ' + response.status);
    }
    const c = await response.json();
    status('drawing', '');
    chart('Instances per minute', [
      { label: 'started', stroke: '#1565c0', width: 2 },
      { label: 'completed', stroke: '#2e7d32', width: 2 },
    ], [c.minutes, c.started, c.completed], 'instances');
    const seconds = (xs) => xs.map((x) => (x === null ? null : x / 1000));
    chart('Duration of the instances completed (s)', [
      { label: 'p50', stroke: '#2e7d32', width: 2, spanGaps: true, points: { show: true } },
      { label: 'p95', stroke: '#f59e0b', width: 2, spanGaps: true, points: { show: true } },
      { label: 'p99', stroke: '#c62828', width: 2, spanGaps: true, points: { show: true } },
    ], [c.minutes, seconds(c.p50), seconds(c.p95), seconds(c.p99)], 'seconds');
    const sum = (xs) => xs.reduce((a, b) => a + b, 0);
    container.dataset.started = String(sum(c.started));
    container.dataset.completed = String(sum(c.completed));
    status('ready', '');
  }

  draw().catch((error) => {
    console.error(error);
    status('error', 'The charts could not be drawn: ' + error.message);
  });
})();
