import { getInitialContext, publish, subscribe } from '@ionic/portals';

/*
 * The EGYM app as host: it opens this app in an Ionic Portals WebView with an initial context
 * (design/EGYM.md section 1) and hands out fresh tokens over Portals' publish/subscribe: publish
 * {type: 'authToken'} on topic `subscription`, the JWT comes back on topic `authToken`. In a plain
 * browser there is no context, and this app is the club's web portal instead.
 */

/** What this app reads of the EGYM app's initial context. */
export interface EgymContext {
  authToken: string;
  /** e.g. de_DE */
  language?: string;
  primaryColor?: string;
  primaryTextColor?: string;
  startingRoute?: string;
}

/** The EGYM app's context, or null when this app was not opened as an EGYM tile. */
export function egymContext(): EgymContext | null {
  let value: Partial<EgymContext> | undefined;
  try {
    value = getInitialContext<Partial<EgymContext>>()?.value;
  } catch {
    return null; // Android without Portals' context object: not inside the EGYM app
  }
  return typeof value?.authToken === 'string' && value.authToken ? (value as EgymContext) : null;
}

const TOKEN_WAIT_MS = 15_000;

// The token may come as the message's data or, in the host's object, as authToken (inferred: EGYM
// documents the topic, not the payload's shape).
function tokenIn(data: unknown): string | null {
  if (typeof data === 'string' && data) return data;
  const nested = (data as { authToken?: unknown } | null)?.authToken;
  return typeof nested === 'string' && nested ? nested : null;
}

let asking: Promise<string> | null = null;

/** A fresh token from the EGYM app; callers asking at the same time share one request. */
export function freshEgymToken(): Promise<string> {
  asking ??= new Promise<string>((resolve, reject) => {
    let stopListening = () => {};
    const timer = setTimeout(() => {
      stopListening();
      reject(new Error('The EGYM app sent no fresh token'));
    }, TOKEN_WAIT_MS);
    subscribe<unknown>('authToken', (message) => {
      const token = tokenIn(message.data);
      if (!token) return;
      clearTimeout(timer);
      stopListening();
      resolve(token);
    })
      .then((handle) => {
        stopListening = () => void handle.remove();
        return publish({ topic: 'subscription', data: { type: 'authToken' } });
      })
      .catch((err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      });
  }).finally(() => {
    asking = null;
  });
  return asking;
}
