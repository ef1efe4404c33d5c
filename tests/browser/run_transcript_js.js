// Drives the transcript editor's JavaScript in headless Chromium: sign in, open a recording, click a
// segment's time (a trusted mouse click) and report where the audio element went, as JSON.
// Usage: node run_transcript_js.js CDP_PORT BASE_URL USERNAME PASSWORD RECORDING_ID SEGMENT_ID
'use strict';
const { attach, evaluate, load, signIn, run } = require('./cdp_support');

async function main() {
  const [port, base, username, password, recording, segment] = process.argv.slice(2);
  const client = await attach(port);
  const { Page, Runtime, Input } = client;
  const console = [];
  Runtime.consoleAPICalled(e => console.push(e.type));
  Runtime.exceptionThrown(e => console.push('exception: ' + e.exceptionDetails.text));
  try {
    await load(Page, base + '/sign-in');
    await signIn(Page, Runtime, username, password);
    await load(Page, base + '/recordings/' + recording);
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

run(main);
