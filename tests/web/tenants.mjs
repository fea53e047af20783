// Drives `honeyflow web --users` in headless Chromium (through playwright-core) as tenant
// A's operator: the instance list, tenant B's instance page, and B's cancel posted from the
// console's own page with the session's CSRF token. Prints one JSON object of what it found;
// tests/web/test_web_tenants.py asserts on it.
// Usage: node tests/web/tenants.mjs '<json: {base, npmDir, chromium, userDataDir, ...}>'
import { createRequire } from 'node:module';

const args = JSON.parse(process.argv[2]);
const require = createRequire(args.npmDir + '/package.json');
const { chromium } = require('playwright-core');

const LAUNCH_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const result = { errors: [] };
const context = await chromium.launchPersistentContext(args.userDataDir, {
  executablePath: args.chromium,
  args: LAUNCH_ARGS,
  headless: true,
});
try {
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => result.errors.push(String(e)));

  await page.goto(`${args.base}/instances`);
  await page.fill('#username', args.user);
  await page.fill('#password', args.password);
  await Promise.all([page.waitForNavigation(), page.click('#login')]);
  result.listed = await page.$$eval('a[href^="/instances/"]', (links) =>
    links.map((a) => a.getAttribute('href')));

  const foreign = await page.goto(`${args.base}/instances/${args.foreignInstance}`);
  result.foreignPage = { status: foreign.status(), text: await page.textContent('body') };

  await page.goto(`${args.base}/instances/${args.ownInstance}`);
  result.ownTenant = await page.textContent('code.tenant');
  const token = await page.getAttribute('meta[name="csrf-token"]', 'content');
  result.cancel = await page.evaluate(async ([path, token]) => {
    const body = new URLSearchParams({ confirmed: 'yes', csrf_token: token });
    const response = await fetch(path, { method: 'POST', body });
    return { status: response.status, text: await response.text() };
  }, [`/instances/${args.foreignInstance}/cancel`, token]);
} finally {
  await context.close();
}
console.log(JSON.stringify(result));
