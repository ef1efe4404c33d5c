// Drives the Ask page's JavaScript in headless Chromium: sign in, ask through the form, wait for the
// streamed answer to be swapped for the checked one, and report what happened as JSON.
// Usage: node run_ask_js.js CDP_PORT BASE_URL USERNAME PASSWORD QUESTION
'use strict';
const CDP = require('chrome-remote-interface');

async function evaluate(Runtime, expression) {
  const out = await Runtime.evaluate({ expression, awaitPromise: true, returnByValue: true });
  if (out.exceptionDetails) throw new Error(JSON.stringify(out.exceptionDetails));
  return out.result.value;
}

async function main() {
  const [port, base, username, password, question] = process.argv.slice(2);
  const targets = await CDP.List({ port: Number(port) });
  const client = await CDP({ port: Number(port), target: targets.find(t => t.type === 'page') });
  const { Page, Runtime } = client;
  await Page.enable();
  await Runtime.enable();
  const console = [];
  Runtime.consoleAPICalled(e => console.push(e.type));
  Runtime.exceptionThrown(e => console.push('exception: ' + e.exceptionDetails.text));
  try {
    let loaded = Page.loadEventFired();
    await Page.navigate({ url: base + '/sign-in' });
    await loaded;
    loaded = Page.loadEventFired();
    await evaluate(Runtime, `(() => {
      document.getElementById('username').value = ${JSON.stringify(username)};
      document.getElementById('password').value = ${JSON.stringify(password)};
      document.querySelector('form[action="/sign-in"]').submit(); return true; })()`);
    await loaded;
    loaded = Page.loadEventFired();
    await Page.navigate({ url: base + '/ask' });
    await loaded;
    const result = await evaluate(Runtime, `new Promise((resolve) => {
      window.__samePage = true;  // survives only if the page did not navigate
      const seen = { maxLive: 0, csp: [] };
      document.addEventListener('securitypolicyviolation', e => seen.csp.push(e.violatedDirective));
      const live = document.getElementById('ask-live-text');
      new MutationObserver(() => { seen.maxLive = Math.max(seen.maxLive, live.textContent.length); })
        .observe(live, { childList: true, characterData: true, subtree: true });
      document.getElementById('q').value = ${JSON.stringify(question)};
      document.getElementById('ask-form').requestSubmit();
      const started = Date.now();
      (function poll() {
        const answer = document.getElementById('answer');
        if (answer || Date.now() - started > 60000) {
          resolve({
            samePage: window.__samePage === true,
            auditId: answer ? answer.getAttribute('data-audit-id') : null,
            status: answer ? answer.getAttribute('data-status') : null,
            label: (document.getElementById('answer-label') || {}).textContent || '',
            conv: document.getElementById('ask-conv').value,
            liveHidden: document.getElementById('ask-live').hidden,
            copyVisible: !!document.getElementById('copy-answer') && !document.getElementById('copy-answer').hidden,
            focused: document.activeElement ? document.activeElement.id : '',
            maxLive: seen.maxLive, csp: seen.csp,
          });
        } else { setTimeout(poll, 100); }
      })();
    })`);
    result.console = console;
    process.stdout.write(JSON.stringify(result));
  } finally {
    await client.close();
  }
}

main().catch(err => { process.stderr.write(String(err && err.stack || err) + '\n'); process.exit(1); });
