// Drives the operator's console in headless Chromium (through playwright-core): the
// time-travel slider, and setting variables, modifying by clicking the diagram and
// cancelling, each through its confirmation page. Prints one JSON object of what it found;
// tests/web/test_console_browser.py asserts on it. Usage:
//   node tests/web/console.mjs '<json: {base, npmDir, chromium, userDataDir, screenshots, ...}>'
import { createRequire } from 'node:module';

const args = JSON.parse(process.argv[2]);
const require = createRequire(args.npmDir + '/package.json');
const { chromium } = require('playwright-core');

const LAUNCH_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function markers(ids) {
  const facts = {};
  for (const id of ids) {
    const gfx = document.querySelector(`.djs-element[data-element-id="${id}"]`);
    const overlays = document.querySelector(`.djs-overlays[data-container-id="${id}"]`);
    facts[id] = {
      markers: gfx ? [...gfx.classList].filter((c) => c.startsWith('hf-')).sort() : [],
      badges: overlays ? [...overlays.querySelectorAll('.hf-badge')].map((b) => b.textContent) : [],
    };
  }
  return facts;
}

function step(text) {
  process.stderr.write(`console.mjs: ${(performance.now() / 1000).toFixed(1)}s ${text}\n`);
}

async function openInstance(page, key) {
  step(`open instance ${key}`);
  await page.goto(`${args.base}/instances/${key}`);
  await page.waitForSelector('#diagram[data-state]', { timeout: 20000 });
  return page.getAttribute('#diagram', 'data-state');
}

async function shot(page, name, fullPage = false) {
  if (args.screenshots) {
    await page.screenshot({ path: `${args.screenshots}/${name}`, fullPage });
  }
}

// Confirm on the confirmation page; returns what the outcome page says.
async function confirm(page) {
  const question = await page.textContent('.confirm-question');
  const details = await page.$eval('body', (b) => b.querySelector('.confirm-details')?.textContent ?? '');
  await Promise.all([page.waitForNavigation(), page.click('#confirm')]);
  return {
    question,
    details,
    notice: await page.textContent('.notice'),
    records: await page.$$eval('table.outcome-records tbody tr', (rows) =>
      rows.map((r) => [...r.cells].map((c) => c.textContent))),
    state: await page.textContent('.outcome-state'),
  };
}

const result = { errors: [] };
const context = await chromium.launchPersistentContext(args.userDataDir, {
  executablePath: args.chromium,
  args: LAUNCH_ARGS,
  headless: true,
  viewport: { width: 1280, height: 1000 },
});
try {
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => result.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') result.errors.push(m.text()); });
  const foreign = [];
  page.on('request', (r) => { if (!r.url().startsWith(args.base)) foreign.push(r.url()); });

  // Time travel on the instance stuck with an incident.
  result.diagramState = await openInstance(page, args.travelInstance);
  await page.click('#tt-load');
  await page.waitForSelector('#time-travel[data-state="ready"]');
  const travel = { max: await page.getAttribute('#tt-slider', 'max') };
  travel.last = {
    elements: await page.evaluate(markers, args.elements),
    record: await page.textContent('#tt-record'),
    incidents: await page.textContent('table.tt-incidents'),
  };
  step(`slide to record ${args.chargeStep}`);
  await page.fill('#tt-slider', String(args.chargeStep));
  await page.waitForSelector(`#tt-record[data-index="${args.chargeStep}"]`);
  travel.atCharge = {
    elements: await page.evaluate(markers, args.elements),
    record: await page.textContent('#tt-record'),
    variables: await page.textContent('table.tt-variables'),
    incidents: await page.textContent('table.tt-incidents'),
    position: await page.textContent('#tt-position'),
  };
  await page.$eval('#time-travel', (s) => s.scrollIntoView());
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'console-time-travel.png');
  result.travel = travel;

  // Fix the bad variable, in the instance's scope.
  await openInstance(page, args.variablesInstance);
  await page.selectOption('#variables-form select[name="scope"]', args.variablesInstance);
  await page.fill('#variables-form textarea[name="variables"]', '{"shippingAddress": "1 Main St"}');
  await Promise.all([page.waitForNavigation(), page.click('#variables-form button')]);
  await shot(page, 'console-confirm.png');
  result.variables = await confirm(page);
  await shot(page, 'console-outcome.png');

  // Modify by clicking the diagram: cancel the token at "reserve", add one at "ship".
  await openInstance(page, args.modifyInstance);
  await page.waitForSelector('#modify-form[data-picking="ready"]');
  await page.check('#modify-form input[name="pick"][value="terminate"]');
  await page.click('.djs-shape[data-element-id="reserve"]');
  await page.check('#modify-form input[name="pick"][value="activate"]');
  await page.click('.djs-shape[data-element-id="ship"]');
  result.modifyPicked = {
    activate: await page.inputValue('#modify-activate'),
    terminate: await page.$$eval('#modify-form input[name="terminate"]:checked', (bs) =>
      bs.map((b) => b.dataset.elementId)),
  };
  await shot(page, 'console-modify.png', true);
  await Promise.all([page.waitForNavigation(), page.click('#modify-form button[type="submit"]')]);
  result.modify = await confirm(page);

  // Migrate to another version with the mapping form (when the test deployed one).
  if (args.migrateInstance) {
    await openInstance(page, args.migrateInstance);
    await page.selectOption('#migrate-form select[name="target"]', args.migrateTarget);
    result.migrateMapping = await page.$$eval('#migrate-form input[name^="map."]', (is) =>
      is.map((i) => [i.name, i.value]));
    await shot(page, 'console-migrate.png', true);
    await Promise.all([page.waitForNavigation(), page.click('#migrate-form button[type="submit"]')]);
    result.migrate = await confirm(page);
  }

  // Cancel the instance that was time-travelled.
  await openInstance(page, args.travelInstance);
  await Promise.all([page.waitForNavigation(), page.click('#cancel-form button')]);
  result.cancel = await confirm(page);
  result.foreignRequests = foreign;
} finally {
  await context.close();
}
console.log(JSON.stringify(result));
