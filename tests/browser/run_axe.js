// Signs in through the real form, then runs axe-core on every page given and prints JSON results.
// Usage: node run_axe.js CDP_PORT BASE_URL USERNAME PASSWORD PATH...
// A PATH written "submit:/write" loads /write, fills its empty text areas with a sample text and
// submits the page's form, then checks the page that comes back (a result only a POST shows).
// Chromium is started by the Python test; this script only speaks the DevTools protocol.
'use strict';
const fs = require('fs');
const path = require('path');
const { attach, evaluate, load, signIn, run } = require('./cdp_support');

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const AXE = fs.readFileSync(path.join(__dirname, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

async function audit(Runtime) {
  await evaluate(Runtime, AXE + '; true');  // DevTools evaluation is not subject to the page's CSP
  return evaluate(Runtime, `axe.run(document, {runOnly: {type: 'tag', values: ${JSON.stringify(TAGS)}}})
    .then(r => ({
      title: document.title, lang: document.documentElement.lang,
      error: (document.querySelector('[data-error-code]') || {dataset: {}}).dataset.errorCode || null,
      violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)})),
      passes: r.passes.length}))`);
}

const SAMPLE = 'Indien u een vergunning aanvraagt, dient u het dossier in bij de dienst, maar de ' +
  'behandeling kan tot 105 dagen duren en wordt door het college beoordeeld.';

async function submitForm(Page, Runtime) {
  const submitted = Page.loadEventFired();
  await evaluate(Runtime, `(() => {
    const form = document.querySelector('main form[method="post"]');
    form.querySelectorAll('textarea').forEach(a => { if (!a.value) a.value = ${JSON.stringify(SAMPLE)}; });
    form.submit(); return true; })()`);
  await submitted;
}

async function submitCode(Page, Runtime, code) {
  const submitted = Page.loadEventFired();
  await evaluate(Runtime, `(() => { document.getElementById('code').value = ${JSON.stringify(code)};
    document.querySelector('main form[method="post"]').submit(); return true; })()`);
  await submitted;
}

// An administrator's enrolment (BELFORT_AXE_ENROL_USER, a current code in BELFORT_AXE_ENROL_CODE): the
// enrolment page and the recovery codes page are checked, then the browser forgets that session.
async function secondFactorPages(client, base, password, results) {
  const { Page, Runtime, Network } = client;
  const user = process.env.BELFORT_AXE_ENROL_USER;
  if (!user) return;
  await signIn(Page, Runtime, user, password);
  results['/sign-in/second-factor/enrol'] = await audit(Runtime);
  await submitCode(Page, Runtime, process.env.BELFORT_AXE_ENROL_CODE || '');
  results['/sign-in/second-factor/codes'] = await audit(Runtime);
  await Network.clearBrowserCookies();
  await load(Page, base + '/sign-in');
}

async function main() {
  const [port, base, username, password, ...paths] = process.argv.slice(2);
  const client = await attach(port);
  const { Page, Runtime } = client;
  const results = {};
  try {
    await load(Page, base + '/sign-in');
    results['/sign-in'] = await audit(Runtime);
    await secondFactorPages(client, base, password, results);
    await signIn(Page, Runtime, username, password);
    if (await evaluate(Runtime, 'location.pathname') === '/sign-in/second-factor') {
      results['/sign-in/second-factor'] = await audit(Runtime);
      await submitCode(Page, Runtime, process.env.BELFORT_AXE_RECOVERY_CODE || '');
    }
    for (const p of paths) {
      if (p.startsWith('submit:')) {
        await load(Page, base + p.slice('submit:'.length));
        await submitForm(Page, Runtime);
      } else {
        await load(Page, base + p);
      }
      results[p] = await audit(Runtime);
    }
  } finally {
    await client.close();
  }
  process.stdout.write(JSON.stringify(results));
}

run(main);
