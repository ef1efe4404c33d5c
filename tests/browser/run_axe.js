// Signs in through the real form, then runs axe-core on every page given and prints JSON results.
// Usage: node run_axe.js CDP_PORT BASE_URL USERNAME PASSWORD PATH...
// Chromium is started by the Python test; this script only speaks the DevTools protocol.
'use strict';
const fs = require('fs');
const path = require('path');
const CDP = require('chrome-remote-interface');

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const AXE = fs.readFileSync(path.join(__dirname, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

async function load(Page, Runtime, url) {
  const loaded = Page.loadEventFired();
  await Page.navigate({ url });
  await loaded;
  const ready = await Runtime.evaluate({ expression: 'document.readyState', returnByValue: true });
  return ready.result.value;
}

async function evaluate(Runtime, expression) {
  const out = await Runtime.evaluate({ expression, awaitPromise: true, returnByValue: true });
  if (out.exceptionDetails) throw new Error(JSON.stringify(out.exceptionDetails));
  return out.result.value;
}

async function audit(Runtime) {
  await evaluate(Runtime, AXE + '; true');  // DevTools evaluation is not subject to the page's CSP
  return evaluate(Runtime, `axe.run(document, {runOnly: {type: 'tag', values: ${JSON.stringify(TAGS)}}})
    .then(r => ({
      title: document.title, lang: document.documentElement.lang,
      violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)})),
      passes: r.passes.length}))`);
}

async function main() {
  const [port, base, username, password, ...paths] = process.argv.slice(2);
  const targets = await CDP.List({ port: Number(port) });
  const target = targets.find(t => t.type === 'page');
  const client = await CDP({ port: Number(port), target });
  const { Page, Runtime } = client;
  await Page.enable();
  await Runtime.enable();
  const results = {};
  try {
    await load(Page, Runtime, base + '/sign-in');
    results['/sign-in'] = await audit(Runtime);
    const submitted = Page.loadEventFired();
    await evaluate(Runtime, `(() => {
      document.getElementById('username').value = ${JSON.stringify(username)};
      document.getElementById('password').value = ${JSON.stringify(password)};
      document.querySelector('form[action="/sign-in"]').submit(); return true; })()`);
    await submitted;
    const where = await evaluate(Runtime, 'location.pathname');
    if (where === '/sign-in') throw new Error('sign-in failed');
    for (const p of paths) {
      await load(Page, Runtime, base + p);
      results[p] = await audit(Runtime);
    }
  } finally {
    await client.close();
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch(err => { process.stderr.write(String(err && err.stack || err) + '\n'); process.exit(1); });
