// Drives `honeyflow web --users` in headless Chromium (through playwright-core): the login
// page in front of every page, a wrong password, a page of another site posting an action,
// a forged CSRF token from script, the operator's own action, logout, and a viewer's
// action. Prints one JSON object of what it found; tests/web/test_login_browser.py asserts
// on it. Usage: node tests/web/login.mjs '<json: {base, attack, npmDir, chromium, ...}>'
import { createRequire } from 'node:module';

const args = JSON.parse(process.argv[2]);
const require = createRequire(args.npmDir + '/package.json');
const { chromium } = require('playwright-core');

const LAUNCH_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function step(text) {
  process.stderr.write(`login.mjs: ${(performance.now() / 1000).toFixed(1)}s ${text}\n`);
}

async function logIn(page, name, password) {
  await page.fill('#username', name);
  await page.fill('#password', password);
  const [response] = await Promise.all([page.waitForNavigation(), page.click('#login')]);
  return response;
}

// A POST from script inside the console's own page, with the CSRF token given (or none).
async function postFromPage(page, path, token) {
  return page.evaluate(async ([path, token]) => {
    const body = new URLSearchParams({ confirmed: 'yes' });
    if (token !== null) body.set('csrf_token', token);
    const response = await fetch(path, { method: 'POST', body });
    return { status: response.status, text: await response.text() };
  }, [path, token]);
}

const result = { errors: [] };
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
  const cancel = `/instances/${args.waitingInstance}/cancel`;

  step('a page without a session');
  await page.goto(`${args.base}/instances/${args.waitingInstance}`);
  result.firstUrl = page.url();

  step('a wrong password');
  const wrong = await logIn(page, 'olga', 'not-her-password');
  result.wrong = { status: wrong.status(), url: page.url(), notice: await page.textContent('.notice') };

  step('the operator logs in');
  await logIn(page, 'olga', args.operatorPassword);
  result.afterLogin = { url: page.url(), user: await page.textContent('.user-name') };
  result.metaToken = await page.getAttribute('meta[name="csrf-token"]', 'content');
  result.formTokens = await page.$$eval('form[method="post"]', (forms) =>
    forms.map((f) => f.querySelector('input[name="csrf_token"]')?.value ?? null));

  step('forged and missing tokens from script');
  result.forged = await postFromPage(page, cancel, 'forged-token');
  result.missing = await postFromPage(page, cancel, null);

  step('a page of another site posts the cancel form');
  const answered = page.waitForResponse((r) => r.url().endsWith(cancel));
  await page.goto(`${args.attack}/attack.html`);
  const attacked = await answered;
  await page.waitForLoadState();
  result.crossSite = { status: attacked.status(), text: await page.textContent('body') };

  step('the operator resolves an incident');
  await page.goto(`${args.base}/incidents`);
  await Promise.all([
    page.waitForNavigation(),
    page.click(`form.resolve[data-incident-key="${args.incident}"] button`),
  ]);
  result.resolved = { url: page.url(), notice: await page.textContent('.notice') };

  step('logout');
  await Promise.all([page.waitForNavigation(), page.click('#logout')]);
  result.loggedOut = { url: page.url(), notice: await page.textContent('.notice') };
  await page.goto(`${args.base}/incidents`);
  result.afterLogout = page.url();

  step('a viewer tries to cancel');
  await page.goto(`${args.base}/instances/${args.waitingInstance}`);
  await logIn(page, 'vera', args.viewerPassword);
  // The page offers no actions; the form sent anyway (from script, with its own token) is
  // refused.
  result.viewerForms = await page.$$eval('form.console-action', (forms) => forms.length);
  result.viewerHint = await page.textContent('.read-only');
  const token = await page.getAttribute('meta[name="csrf-token"]', 'content');
  const refused = await postFromPage(page, cancel, token);
  result.viewer = { status: refused.status, text: refused.text };
} finally {
  await context.close();
}
console.log(JSON.stringify(result));
