// Drives the web page in headless Chromium (Debian's, through playwright-core) and prints
// one JSON object of what it found; tests/web/test_browser.py asserts on it. Usage:
//   node tests/web/pages.mjs '<json: {base, npmDir, chromium, userDataDir, screenshots, ...}>'
import { createRequire } from 'node:module';

const args = JSON.parse(process.argv[2]);
const require = createRequire(args.npmDir + '/package.json');
const { chromium } = require('playwright-core');

const LAUNCH_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// What the DOM says about one diagram element: its shape's markers and overlay badges.
function elementFacts(ids) {
  const facts = {};
  for (const id of ids) {
    const gfx = document.querySelector(`.djs-element[data-element-id="${id}"]`);
    const overlays = document.querySelector(`.djs-overlays[data-container-id="${id}"]`);
    const badges = {};
    if (overlays) {
      for (const b of overlays.querySelectorAll('.hf-badge')) {
        const kind = [...b.classList].find((c) => c.startsWith('hf-badge-')).slice(9);
        badges[kind] = { text: b.textContent, elementId: b.dataset.elementId };
      }
    }
    facts[id] = {
      drawn: gfx !== null,
      markers: gfx ? [...gfx.classList].filter((c) => c.startsWith('hf-')).sort() : [],
      badges,
    };
  }
  return facts;
}

function step(text) {
  process.stderr.write(`pages.mjs: ${(performance.now() / 1000).toFixed(1)}s ${text}\n`);
}

async function openDiagramPage(page, url) {
  step(`open ${url}`);
  const response = await page.goto(url);
  await page.waitForSelector('#diagram[data-state]', { timeout: 20000 });
  return {
    status: response.status(),
    state: await page.getAttribute('#diagram', 'data-state'),
    message: await page.$eval('#diagram', (d) => d.querySelector('.diagram-status')?.textContent ?? null),
  };
}

const result = { errors: [] };
step('launch chromium');
const context = await chromium.launchPersistentContext(args.userDataDir, {
  executablePath: args.chromium,
  args: LAUNCH_ARGS,
  headless: true,
  viewport: { width: 1280, height: 900 },
});
try {
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => result.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') result.errors.push(m.text()); });
  // Everything must come from the server itself: no CDN, no other host.
  const foreign = [];
  page.on('request', (r) => { if (!r.url().startsWith(args.base)) foreign.push(r.url()); });

  // The process page: badges per element.
  const processPage = await openDiagramPage(page, `${args.base}/processes/order`);
  processPage.elements = await page.evaluate(elementFacts, args.processElements);
  processPage.injected = await page.evaluate(() => window.injected === true);
  await page.waitForSelector('#charts[data-state="ready"], #charts[data-state="error"]');
  processPage.charts = await page.$eval('#charts', (c) => ({
    state: c.dataset.state,
    started: c.dataset.started,
    completed: c.dataset.completed,
    canvases: c.querySelectorAll('canvas').length,
    titles: [...c.querySelectorAll('.u-title')].map((t) => t.textContent),
  }));
  if (args.screenshots) {
    await page.$eval('#charts', (c) => c.scrollIntoView());
    await page.screenshot({ path: `${args.screenshots}/process-charts.png`, fullPage: false });
    await page.evaluate(() => window.scrollTo(0, 0));
  }
  if (args.screenshots) {
    await page.screenshot({ path: `${args.screenshots}/process-page.png`, fullPage: false });
  }
  result.processPage = processPage;

  // A process without diagram data: drawn from the automatic layout.
  const autoPage = await openDiagramPage(page, `${args.base}/processes/one_task`);
  autoPage.elements = await page.evaluate(elementFacts, ['start', 'task', 'end', 'f1', 'f2']);
  result.autoLayoutPage = autoPage;

  // An instance with an incident: its path and the incident marked.
  const instancePage = await openDiagramPage(page, `${args.base}/instances/${args.incidentInstance}`);
  instancePage.elements = await page.evaluate(elementFacts, args.processElements);
  instancePage.variablesText = await page.textContent('table.variables');
  instancePage.injected = await page.evaluate(
    () => window.injected === true || document.getElementById('injected') !== null);
  if (args.screenshots) {
    await page.screenshot({ path: `${args.screenshots}/instance-page.png`, fullPage: false });
  }
  result.instancePage = instancePage;

  // Resolve an incident from the incident list.
  step('resolve from /incidents');
  await page.goto(`${args.base}/incidents`);
  const before = await page.$$eval('form.resolve', (fs) => fs.map((f) => f.dataset.incidentKey));
  await Promise.all([
    page.waitForNavigation(),
    page.click(`form.resolve[data-incident-key="${args.resolveIncident}"] button`),
  ]);
  result.resolve = {
    before,
    url: page.url(),
    after: await page.$$eval('form.resolve', (fs) => fs.map((f) => f.dataset.incidentKey)),
    notice: await page.$eval('body', (b) => b.querySelector('.notice')?.textContent ?? null),
  };

  // The instance page after the resolve: no incident marked any more, still at its task.
  const afterPage = await openDiagramPage(page, `${args.base}/instances/${args.resolveInstance}`);
  afterPage.elements = await page.evaluate(elementFacts, ['ship']);
  afterPage.incidentsText = await page.textContent('table.incidents');
  result.afterResolve = afterPage;
  result.foreignRequests = foreign;
} finally {
  step('close');
  await context.close();
  step('closed');
}
console.log(JSON.stringify(result));
