// What every browser-test driver does over the DevTools protocol: attach to the page Chromium
// opened, evaluate expressions, load a URL, sign in through the real form, and report errors.
'use strict';
const CDP = require('chrome-remote-interface');

async function attach(port) {
  const targets = await CDP.List({ port: Number(port) });
  const client = await CDP({ port: Number(port), target: targets.find(t => t.type === 'page') });
  await client.Page.enable();
  await client.Runtime.enable();
  return client;
}

async function evaluate(Runtime, expression) {
  const out = await Runtime.evaluate({ expression, awaitPromise: true, returnByValue: true });
  if (out.exceptionDetails) throw new Error(JSON.stringify(out.exceptionDetails));
  return out.result.value;
}

async function load(Page, url) {
  const loaded = Page.loadEventFired();
  await Page.navigate({ url });
  await loaded;
}

async function signIn(Page, Runtime, username, password) {
  const submitted = Page.loadEventFired();
  await evaluate(Runtime, `(() => {
    document.getElementById('username').value = ${JSON.stringify(username)};
    document.getElementById('password').value = ${JSON.stringify(password)};
    document.querySelector('form[action="/sign-in"]').submit(); return true; })()`);
  await submitted;
  if (await evaluate(Runtime, 'location.pathname') === '/sign-in') throw new Error('sign-in failed');
}

function run(main) {
  main().catch(err => { process.stderr.write(String(err && err.stack || err) + '\n'); process.exit(1); });
}

module.exports = { attach, evaluate, load, signIn, run };
