// Drives the transcript editor's JavaScript in headless Chromium: sign in, open a recording, click a
// segment's time (a trusted mouse click) and report where the audio element went, as JSON.
// Usage: node run_transcript_js.js CDP_PORT BASE_URL USERNAME PASSWORD RECORDING_ID SEGMENT_ID
'use strict';
const CDP = require('chrome-remote-interface');

async function evaluate(Runtime, expression) {
  const out = await Runtime.evaluate({ expression, awaitPromise: true, returnByValue: true });
  if (out.exceptionDetails) throw new Error(JSON.stringify(out.exceptionDetails));
  return out.result.value;
}

async function main() {
  const [port, base, username, password, recording, segment] = process.argv.slice(2);
  const targets = await CDP.List({ port: Number(port) });
  const client = await CDP({ port: Number(port), target: targets.find(t => t.type === 'page') });
  const { Page, Runtime, Input } = client;
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
    await Page.navigate({ url: base + '/recordings/' + recording });
    await loaded;
    const box = await evaluate(Runtime, `(() => {
      window.__samePage = true;  // survives only if the click did not navigate
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective));
      const link = document.querySelector('#seg-${segment} a.seek');
      link.scrollIntoView({ block: 'center' });
      const r = link.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; })()`);
    for (const type of ['mousePressed', 'mouseReleased']) {
      await Input.dispatchMouseEvent({ type, x: box.x, y: box.y, button: 'left', clickCount: 1 });
    }
    const result = await evaluate(Runtime, `new Promise((resolve) => {
      const audio = document.getElementById('recording-audio');
      const started = Date.now();
      (function poll() {
        const row = document.querySelector('li.segment.playing');
        if ((audio.readyState >= 1 && audio.currentTime > 0 && row) || Date.now() - started > 20000) {
          resolve({ samePage: window.__samePage === true, currentTime: audio.currentTime,
                    readyState: audio.readyState, duration: audio.duration, playing: row ? row.id : '',
                    hash: location.hash, csp: window.__csp });
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
