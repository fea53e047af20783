// Drives the task pages in headless Chromium (Debian's, through playwright-core) and prints
// one JSON object of what it saw; tests/web/test_task_browser.py asserts on it. Usage:
//   node tests/web/tasks.mjs '<json: {base, npmDir, chromium, userDataDir, screenshots,
//                                     group, formTask, plainTask, heldTask, user, formInput}>'
// formInput: {field label: value} typed into the form before Complete.
import { createRequire } from 'node:module';

const args = JSON.parse(process.argv[2]);
const require = createRequire(args.npmDir + '/package.json');
const { chromium } = require('playwright-core');

const LAUNCH_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function step(text) {
  process.stderr.write(`tasks.mjs: ${(performance.now() / 1000).toFixed(1)}s ${text}\n`);
}

const notice = (page) => page.$eval('body', (b) => b.querySelector('.notice')?.textContent ?? null);
const taskKeys = (page) => page.$$eval('a.task-link', (as) => as.map((a) => a.textContent));

async function post(page, selector) {
  const [response] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return response.status();
}

// On Kafka the store follows the engine a moment later (the exporter): reload until the
// page shows what an action did. In process the first look finds it.
async function reloadUntil(page, selector, what) {
  for (let i = 0; i < 100; i++) {
    if (await page.$(selector)) {
      return i;
    }
    await page.waitForTimeout(200);
    await page.reload();
  }
  throw new Error(`the page never showed ${what} (${selector})`);
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
  page.on('console', (m) => {
    // The claim conflict answers 409 on purpose: Chromium logs it as a failed resource.
    if (m.type() === 'error' && !m.text().includes('409')) result.errors.push(m.text());
  });
  const foreign = [];
  page.on('request', (r) => { if (!r.url().startsWith(args.base)) foreign.push(r.url()); });

  // The list, filtered by candidate group through the filter form.
  step('task list');
  await page.goto(`${args.base}/tasks`);
  const all = await taskKeys(page);
  await page.fill('form.task-filter input[name="group"]', args.group);
  await Promise.all([page.waitForNavigation(), page.click('form.task-filter button')]);
  result.list = { all, url: page.url(), filtered: await taskKeys(page) };

  // Who am I: the "You are" field, kept in a cookie.
  step('name the acting user');
  await page.fill('form.acting-user input[name="user"]', args.user);
  await Promise.all([page.waitForNavigation(), page.click('form.acting-user button')]);
  result.user = {
    url: page.url(),
    value: await page.inputValue('form.acting-user input[name="user"]'),
  };
  if (args.screenshots) {
    await page.screenshot({ path: `${args.screenshots}/task-list.png`, fullPage: false });
  }

  // The task with a form: open it from the list, claim it, fill the form in, complete.
  step('task with a form');
  await Promise.all([page.waitForNavigation(), page.click(`a.task-link:text-is("${args.formTask}")`)]);
  const claimStatus = await post(page, 'form.task-claim button');
  await reloadUntil(page, 'form.task-complete button:not([disabled])', 'the claim');
  await page.waitForSelector('#task-form[data-state]');
  const formTask = {
    url: page.url(),
    claimStatus,
    claimNotice: await notice(page),
    formState: await page.getAttribute('#task-form', 'data-state'),
    formMessage: await page.$eval('#task-form', (d) => d.querySelector('.form-status')?.textContent ?? null),
    labels: await page.$$eval('#task-form .fjs-form-field label', (ls) => ls.map((l) => l.textContent.trim())),
    prefilled: {},
  };
  result.formTask = formTask;
  for (const label of Object.keys(args.prefilled || {})) {
    formTask.prefilled[label] = await page.getByLabel(label, { exact: true }).inputValue();
  }
  if (args.screenshots) {
    await page.screenshot({ path: `${args.screenshots}/task-page.png`, fullPage: true });
  }
  // Complete before the required field is filled: form-js shows its errors, nothing is sent.
  if (args.requiredLabel) {
    await page.click('form.task-complete button');
    formTask.blockedUrl = page.url();
    formTask.blockedMessage = await page.textContent('form.task-complete .variables-error');
  }
  for (const [label, value] of Object.entries(args.formInput)) {
    const field = page.getByLabel(label, { exact: true });
    if (typeof value === 'boolean') {
      await field.setChecked(value);
    } else {
      await field.fill(String(value));
    }
  }
  formTask.completeStatus = await post(page, 'form.task-complete button');
  formTask.afterUrl = page.url();
  formTask.afterNotice = await notice(page);
  formTask.afterKeys = await taskKeys(page);

  // A task without a form: the JSON editor refuses what is not an object, then completes.
  step('task without a form');
  await page.goto(`${args.base}/tasks/${args.plainTask}`);
  await post(page, 'form.task-claim button');
  await reloadUntil(page, 'form.task-complete button:not([disabled])', 'the claim');
  const editor = 'form.task-complete textarea[name="variables"]';
  await page.fill(editor, '{"approved": tru');
  await page.click('form.task-complete button');
  const plain = { badJsonUrl: page.url(), badJson: await page.textContent('.variables-error') };
  await page.fill(editor, '[1, 2]');
  await page.click('form.task-complete button');
  plain.notObject = await page.textContent('.variables-error');
  await page.fill(editor, args.plainVariables);
  plain.completeStatus = await post(page, 'form.task-complete button');
  plain.afterUrl = page.url();
  result.plainTask = plain;

  // Someone else's task: the engine's refusal shown on the task page.
  step('claim conflict');
  await page.goto(`${args.base}/tasks/${args.heldTask}`);
  const conflictStatus = await post(page, 'form.task-claim button');
  result.conflict = {
    status: conflictStatus,
    url: page.url(),
    notice: await notice(page),
    noticeClass: await page.$eval('.notice', (n) => n.className),
  };
  // A task whose form is embedded in its process (camunda-forms:bpmn:...).
  step('embedded form');
  await page.goto(`${args.base}/tasks/${args.embeddedTask}`);
  await page.waitForSelector('#task-form[data-state]');
  result.embeddedTask = {
    formState: await page.getAttribute('#task-form', 'data-state'),
    labels: await page.$$eval('#task-form .fjs-form-field label', (ls) => ls.map((l) => l.textContent.trim())),
    prefilled: { Purpose: await page.getByLabel('Purpose', { exact: true }).inputValue() },
  };

  // The completed invoice task: its form is read-only, there is nothing to send.
  step('completed task');
  await page.goto(`${args.base}/tasks/${args.formTask}`);
  await reloadUntil(page, '.state-completed', 'the completed task');
  await page.waitForSelector('#task-form[data-state]');
  result.completedTask = {
    formState: await page.getAttribute('#task-form', 'data-state'),
    commentDisabled: await page.getByLabel('Comment*', { exact: true }).isDisabled()
      || await page.getByLabel('Comment*', { exact: true }).getAttribute('readonly') !== null,
    comment: await page.getByLabel('Comment*', { exact: true }).inputValue(),
    actions: await page.$$eval('form.task-action, form.task-complete', (fs) => fs.length),
  };

  // The invoice's instance page lists its (now completed) task.
  step('instance page');
  await page.goto(`${args.base}/instances/${args.invoiceInstance}`);
  await reloadUntil(page, 'table.user-tasks .state-completed', 'the completed task');
  result.instancePage = {
    taskLinks: await page.$$eval('table.user-tasks a', (as) => as.map((a) => a.getAttribute('href'))),
    tasksText: await page.textContent('table.user-tasks'),
  };
  result.foreignRequests = foreign;
} catch (error) {
  // What was seen up to the failure goes out with it: the test shows both.
  result.failure = String(error.stack || error);
  if (args.screenshots) {
    await context.pages()[0].screenshot({ path: `${args.screenshots}/failure.png`, fullPage: true });
    result.failureScreenshot = `${args.screenshots}/failure.png`;
  }
} finally {
  step('close');
  await context.close();
}
console.log(JSON.stringify(result));
