/**
 * Who is signed in. With the dev issuer (devnet, `npm start`) the gateway
 * mints a token for a chosen role; with a real issuer, OpenID Connect
 * authorization code with PKCE through oidc-client-ts. The token lives in
 * sessionStorage only (a closed tab signs out).
 */
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';

export interface ConsoleConfig {
  mspId: string;
  /** The token claim naming the user's organisation. */
  orgClaim?: string;
  auth:
    | { mode: 'dev' }
    | {
        mode: 'oidc';
        authority: string;
        clientId: string;
        scope: string;
        /** The API's resource indicator (RFC 8707), sent with the authorization and token requests. */
        resource?: string;
      }
    | { mode: 'none' };
}

export interface Session {
  token: string;
  sub: string;
  roles: string[];
  /** The organisation the token names (its MSP id); the gateway refuses tokens of another. */
  org?: string;
  /** When the token expires (ms since the epoch), from its `exp` claim. */
  expiresAt?: number;
}

const KEY = 'coffee-trace.session';

/** Why the last session ended on its own (shown on the sign-in page). */
export const SESSION_EXPIRED = 'Your session has expired or was refused: sign in again.';

/** The stored session, unless its token has expired (then it is dropped). */
export function loadSession(): Session | undefined {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    if (s?.expiresAt !== undefined && s.expiresAt <= Date.now()) {
      sessionStorage.removeItem(KEY);
      return undefined;
    }
    return s ?? undefined;
  } catch {
    return undefined;
  }
}

/** Ends the session because the gateway refused its token (401): the shell shows the sign-in page again. */
export function sessionRefused(): void {
  saveSession(undefined);
  dispatchEvent(new CustomEvent('coffee-trace:session-ended', { detail: SESSION_EXPIRED }));
}

export function saveSession(s: Session | undefined): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}

export async function fetchConfig(): Promise<ConsoleConfig> {
  const res = await fetch('/console/config.json');
  if (!res.ok) throw new Error(`config.json: ${res.status}`);
  return (await res.json()) as ConsoleConfig;
}

export async function devSignIn(role: string): Promise<Session> {
  const res = await fetch('/console/dev-session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role }) });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const s = (await res.json()) as Session;
  saveSession(s);
  return s;
}

function userManager(cfg: Extract<ConsoleConfig['auth'], { mode: 'oidc' }>): UserManager {
  const here = `${location.origin}/console/`;
  return new UserManager({
    authority: cfg.authority,
    client_id: cfg.clientId,
    redirect_uri: here,
    post_logout_redirect_uri: here,
    response_type: 'code',
    scope: cfg.scope,
    ...(cfg.resource ? { extraQueryParams: { resource: cfg.resource }, extraTokenParams: { resource: cfg.resource } } : {}),
    userStore: new WebStorageStateStore({ store: sessionStorage }),
  });
}

/** An access token's claims (the gateway checks the signature; these only drive the view). */
function claimsOf(token: string): Record<string, unknown> {
  try {
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export async function oidcSignIn(cfg: Extract<ConsoleConfig['auth'], { mode: 'oidc' }>): Promise<void> {
  await userManager(cfg).signinRedirect();
}

/**
 * Signs out: the console forgets its token and, with a real issuer, ends the
 * user's session there too (RP-initiated logout with the ID token as hint), so
 * that the next "Sign in" on a shared terminal asks for a password again. An
 * issuer without an end-session endpoint only loses the stored user.
 */
export async function signOut(cfg: ConsoleConfig): Promise<void> {
  saveSession(undefined);
  if (cfg.auth.mode !== 'oidc') return;
  const users = userManager(cfg.auth);
  try {
    await users.signoutRedirect();
  } catch {
    await users.removeUser();
  }
}

/** Completes a redirect back from the issuer (code and state in the query), if this is one. */
export async function oidcCallback(cfg: ConsoleConfig): Promise<Session | undefined> {
  if (cfg.auth.mode !== 'oidc') return undefined;
  const q = new URLSearchParams(location.search);
  if (!q.has('code') || !q.has('state')) return undefined;
  const user = await userManager(cfg.auth).signinRedirectCallback();
  history.replaceState(null, '', '/console/');
  const claims = claimsOf(user.access_token);
  const org = claims[cfg.orgClaim ?? 'org'];
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : user.expires_at !== undefined ? user.expires_at * 1000 : undefined;
  const s: Session = {
    token: user.access_token,
    sub: user.profile.sub,
    roles: Array.isArray(claims.roles) ? (claims.roles as string[]) : [],
    ...(typeof org === 'string' ? { org } : {}),
    ...(exp !== undefined ? { expiresAt: exp } : {}),
  };
  saveSession(s);
  return s;
}
