// A real OpenID Connect provider (the certified `oidc-provider`) on loopback, for the OIDC sign-in tests.
// Usage: node provider.js CONFIG.json
//   CONFIG: {"port": 0, "clients": [{client_id, client_secret, redirect_uris}], "accounts_file": "...",
//            "id_token_ttl": 3600, "claims_in_id_token": true}
// The accounts file ({"<account id>": {claims}}) is read at every look-up, so a test can remove someone.
// The login step is a tiny form-free interaction: POST /interaction/<uid>/login with login=<account id>
// (and amr=<method,method>: the authentication methods the ID token's amr claim names, RFC 8176).
// Consent is granted at once (a first-party client). Prints "READY <issuer>" once it listens.
'use strict';
const fs = require('fs');
const http = require('http');

async function main() {
  const { default: Provider } = await import('oidc-provider');
  const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const accounts = () => JSON.parse(fs.readFileSync(config.accounts_file, 'utf8'));
  const server = http.createServer();
  await new Promise(resolve => server.listen(config.port || 0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: config.clients.map(c => ({ ...c, grant_types: ['authorization_code'], response_types: ['code'] })),
    cookies: { keys: ['belfort-test-provider'] },
    claims: { openid: ['sub', 'amr'], profile: ['name', 'preferred_username', 'groups', 'roles', 'upn'] },
    conformIdTokenClaims: !config.claims_in_id_token,
    ttl: { IdToken: config.id_token_ttl || 3600, AccessToken: 600, Interaction: 600, Session: 600, Grant: 600 },
    findAccount: async (ctx, id) => {
      const claims = accounts()[id];
      if (!claims) return undefined;  // the provider no longer knows this account
      return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope(ctx.oidc.params.scope || 'openid');
      await grant.save();
      return grant;
    },
    features: { devInteractions: { enabled: false } },
  });
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
    if (!match) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET') {
        res.setHeader('Content-Type', 'application/json');
        return res.end(JSON.stringify({ uid: details.uid, prompt: details.prompt.name }));
      }
      let body = '';
      for await (const chunk of req) body += chunk;
      const login = new URLSearchParams(body).get('login');
      if (!accounts()[login]) {
        return provider.interactionFinished(req, res, { error: 'access_denied',
          error_description: 'unknown account' }, { mergeWithLastSubmission: false });
      }
      const amr = new URLSearchParams(body).get('amr');
      return provider.interactionFinished(req, res, { login: { accountId: login, ...(amr ? { amr: amr.split(',') } : {}) } },
        { mergeWithLastSubmission: false });
    } catch (err) {
      res.statusCode = 400;
      res.end(String(err && err.message));
    }
  });
  process.stdout.write(`READY ${issuer}\n`);
}

main().catch(err => { process.stderr.write(String(err && err.stack || err) + '\n'); process.exit(1); });
