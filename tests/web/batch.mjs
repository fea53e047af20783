// Drives the batch form of a process page in headless Chromium (through playwright-core):
// migrate the instances that match (version, element, a variable) to another version with a
// mapping, through the confirmation page, then the batch listed under /batches. Prints one
// JSON object of what it found; tests/web/test_batch_browser.py asserts on it. Usage:
//   node tests/web/batch.mjs '<json: {base, npmDir, chromium, userDataDir, process, form}>'
import { createRequire } from 'node:module';

const args = JSON.parse(process.argv[2]);
const require = createRequire(args.npmDir + '/package.json');
const { chromium } = require('playwright-core');

const LAUNCH_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const cells = () => (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent));

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

  await page.goto(`${args.base}/processes/${args.process}`);
  await page.selectOption('#batch-form select[name="action"]', args.form.action);
  for (const [name, value] of Object.entries(args.form)) {
    if (name !== 'action') await page.fill(`#batch-form [name="${name}"]`, value);
  }
  await Promise.all([page.waitForNavigation(), page.click('#batch-form button[type="submit"]')]);
  result.question = await page.textContent('.confirm-question');
  result.matches = await page.$$eval('table.batch-items tbody tr', cells());
  await Promise.all([page.waitForNavigation(), page.click('#confirm')]);
  result.notice = await page.textContent('.notice');
  result.outcomes = await page.$$eval('table.batch-outcomes tbody tr', cells());
  await Promise.all([page.waitForNavigation(), page.click('text=This batch\'s progress')]);
  result.batchState = await page.textContent('.batch-state');
  result.batchOutcomes = await page.$$eval('table.batch-outcomes tbody tr', cells());
  result.foreignRequests = foreign;
} finally {
  await context.close();
}
console.log(JSON.stringify(result));
