// Drives the Ask page's JavaScript in headless Chromium: sign in, ask through the form, wait for the
// streamed answer to be swapped for the checked one, and report what happened as JSON.
// Usage: node run_ask_js.js CDP_PORT BASE_URL USERNAME PASSWORD QUESTION
'use strict';
const { attach, evaluate, load, signIn, run } = require('./cdp_support');

async function main() {
  const [port, base, username, password, question] = process.argv.slice(2);
  const client = await attach(port);
  const { Page, Runtime } = client;
  const console = [];
  Runtime.consoleAPICalled(e => console.push(e.type));
  Runtime.exceptionThrown(e => console.push('exception: ' + e.exceptionDetails.text));
  try {
    await load(Page, base + '/sign-in');
    await signIn(Page, Runtime, username, password);
    await load(Page, base + '/ask');
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

run(main);
