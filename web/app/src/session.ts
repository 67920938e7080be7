import { ApiError, callApi, type SignedIn } from './api';
import { freshEgymToken } from './egym-host';
import type { TextKey } from './i18n';

/*
 * Who is signed in, and how a member call survives an ended session. In the EGYM tile a 401 is
 * answered without the member noticing: a fresh token from the EGYM app, exchanged at /auth/egym,
 * and the call sent again. In the web portal the member signs in again.
 */

export interface Member {
  token: string;
  expiresAt: string;
  firstName: string;
  homeLocationId: number | null;
}

/** Why the EGYM tile could not sign the member in, each with its own screen. */
export type EgymRefusal = 'expired' | 'rejected' | 'ambiguous' | 'notSynced' | 'unavailable' | 'offline';

export type SessionState =
  | { kind: 'starting' }
  | { kind: 'signedOut'; notice: TextKey | null }
  | { kind: 'refused'; refusal: EgymRefusal }
  | { kind: 'member'; member: Member; via: 'egym' | 'password' };

let state: SessionState = { kind: 'starting' };
const listeners = new Set<() => void>();

export function sessionState(): SessionState {
  return state;
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setState(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener();
}

function memberOf(signedIn: SignedIn): Member {
  const { token, expiresAt, client, homeLocation } = signedIn;
  return { token, expiresAt, firstName: client.firstName, homeLocationId: homeLocation?.id ?? client.homeLocationId };
}

// ---- the EGYM tile ----------------------------------------------------------------------------

class EgymRefused extends Error {
  constructor(readonly refusal: EgymRefusal) {
    super(refusal);
  }
}

/** Whether a JWT's exp lies in the past (read, not verified: only to pick the words for a refusal). */
function jwtExpired(jwt: string): boolean {
  try {
    const payload = JSON.parse(atob(jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    return typeof payload.exp === 'number' && payload.exp * 1000 < Date.now();
  } catch {
    return false;
  }
}

/*
 * What /auth/egym's refusals mean to the member, by clubcore's codes: 401 tokenExpired or
 * tokenInvalid (or memberInactive), 409 ambiguousEmail, 404 notSynced (the membership sync has not
 * delivered the member yet). A 401 without a code (an older clubcore) is told apart by the token's exp.
 */
function refusalOf(err: unknown, token: string): EgymRefusal {
  if (!(err instanceof ApiError)) return 'unavailable';
  if (err.status === 0) return 'offline';
  if (err.status === 401) return err.code === 'tokenExpired' || (err.code === undefined && jwtExpired(token)) ? 'expired' : 'rejected';
  if (err.status === 409) return 'ambiguous';
  if (err.status === 404) return 'notSynced';
  return 'unavailable';
}

/** A fresh token from the EGYM app; when it sends none, the member sees `otherwise`. */
async function askEgymApp(otherwise: EgymRefusal): Promise<string> {
  try {
    return await freshEgymToken();
  } catch {
    throw new EgymRefused(otherwise);
  }
}

/** Exchanges an EGYM token for a clubcore session; a refused one is tried again once with a fresh token from the EGYM app. */
async function egymSignIn(token: string, mayAskForAnother: boolean): Promise<Member> {
  try {
    return memberOf(await callApi<SignedIn>('POST', '/auth/egym', { body: { token } }));
  } catch (err) {
    const refusal = refusalOf(err, token);
    if (!mayAskForAnother || !(err instanceof ApiError) || err.status !== 401) throw new EgymRefused(refusal);
    return egymSignIn(await askEgymApp(refusal), false);
  }
}

/** The tile's start: the token from the EGYM app's initial context, exchanged for a session. */
export async function startInEgymApp(authToken: string): Promise<void> {
  setState({ kind: 'starting' });
  try {
    setState({ kind: 'member', member: await egymSignIn(authToken, true), via: 'egym' });
  } catch (err) {
    setState({ kind: 'refused', refusal: err instanceof EgymRefused ? err.refusal : 'unavailable' });
  }
}

// ---- the web portal ----------------------------------------------------------------------------

const STORED = 'clubcore.member';

/** The portal's start: the session kept from the last sign-in in this browser, while it lasts. */
export function startInBrowser(): void {
  try {
    const kept = JSON.parse(localStorage.getItem(STORED) ?? 'null') as Member | null;
    if (kept && new Date(kept.expiresAt).getTime() > Date.now()) return setState({ kind: 'member', member: kept, via: 'password' });
  } catch {
    // storage blocked (a sandboxed frame) or unreadable: sign in again
  }
  setState({ kind: 'signedOut', notice: null });
}

function keep(member: Member | null): void {
  try {
    if (member) localStorage.setItem(STORED, JSON.stringify(member));
    else localStorage.removeItem(STORED);
  } catch {
    // the session then lasts as long as the page
  }
}

/** Local password or, through clubcore, the Perfect Gym one; refusals come back as ApiError. */
export async function signInWithPassword(login: string, password: string): Promise<void> {
  const member = memberOf(await callApi<SignedIn>('POST', '/auth/login', { body: { login, password } }));
  keep(member);
  setState({ kind: 'member', member, via: 'password' });
}

export async function signOut(): Promise<void> {
  if (state.kind === 'member') await callApi('POST', '/auth/logout', { token: state.member.token }).catch(() => undefined);
  keep(null);
  setState({ kind: 'signedOut', notice: null });
}

// ---- member calls ------------------------------------------------------------------------------

let renewing: Promise<Member> | null = null;

/** A new session after a 401: from the EGYM app in the tile; in the portal the member signs in again. */
function renewSession(via: 'egym' | 'password'): Promise<Member> {
  renewing ??= (async () => {
    if (via === 'password') {
      keep(null);
      setState({ kind: 'signedOut', notice: 'signedOut' });
      throw new ApiError(401, undefined, 'signed out');
    }
    try {
      // the session ended: a fresh token from the EGYM app, exchanged like the first
      const member = await egymSignIn(await askEgymApp('expired'), false);
      setState({ kind: 'member', member, via });
      return member;
    } catch (err) {
      setState({ kind: 'refused', refusal: err instanceof EgymRefused ? err.refusal : 'unavailable' });
      throw new ApiError(401, undefined, 'refused');
    }
  })().finally(() => {
    renewing = null;
  });
  return renewing;
}

/** A call as the signed-in member; a 401 renews the session once and sends the call again. */
export async function memberCall<T>(method: string, path: string, body?: unknown): Promise<T> {
  if (state.kind !== 'member') throw new ApiError(401, undefined, 'not signed in');
  const { member, via } = state;
  try {
    return await callApi<T>(method, path, { token: member.token, body });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
    const renewed = await renewSession(via);
    return callApi<T>(method, path, { token: renewed.token, body });
  }
}
