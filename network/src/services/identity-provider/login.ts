/**
 * The identity provider's own pages: a sign-in form (user name and password)
 * for each login prompt. The console is a first-party client, so there is no
 * consent page: the grant is made when the session needs one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { checkPassword, type DevUser } from './users';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, status: number, uid: string, opts: LoginOptions, error?: string): void {
  const issuerName = new URL(opts.issuer).host;
  // The form's answer redirects on to the console: browsers hold those redirects to form-action too.
  const targets = [...new Set(opts.redirectUris.map((u) => new URL(u).origin))].join(' ');
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${targets}; frame-ancestors 'none'`,
  });
  res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · ${escape(issuerName)}</title>
<style>body{font-family:sans-serif;max-width:24rem;margin:4rem auto}label,input,button{display:block;margin:.4rem 0}.bad{color:#a00}</style></head>
<body><main><h1>Sign in</h1><p>Development identity provider at ${escape(issuerName)}</p>
${error ? `<p role="alert" class="bad">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
<label for="login">User name</label><input id="login" name="login" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button type="submit">Sign in</button></form></main></body></html>`);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 4096) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

export interface LoginOptions {
  provider: Provider;
  users: readonly DevUser[];
  issuer: string;
  /** The console addresses the provider sends users back to. */
  redirectUris: readonly string[];
}

/** Answers GET /interaction/<uid> and POST /interaction/<uid>/login. */
export async function handleInteraction(req: IncomingMessage, res: ServerResponse, submitted: boolean, opts: LoginOptions): Promise<void> {
  const details = await opts.provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    if (!submitted || req.method !== 'POST') return page(res, 200, details.uid, opts);
    const form = await readForm(req);
    const user = checkPassword(opts.users, form.get('login') ?? '', form.get('password') ?? '');
    if (!user) return page(res, 401, details.uid, opts, 'Unknown user name or wrong password.');
    return opts.provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
  }
  // A consent prompt: grant what the first-party console asked for.
  const accountId = details.session?.accountId;
  const clientId = String(details.params.client_id);
  if (!accountId) throw new Error('consent prompt without a signed-in account');
  const grant = (details.grantId && (await opts.provider.Grant.find(details.grantId))) || new opts.provider.Grant({ accountId, clientId });
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
  const grantId = await grant.save();
  return opts.provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}
