import { useEffect, useState } from 'preact/hooks';

/** The signed-in staff user; the token lives in sessionStorage (this tab only, gone when it closes). */
export interface Staff {
  id: number;
  email: string;
  name: string;
  role: 'admin' | 'manager';
}

interface Session {
  token: string;
  expiresAt: string;
  staff: Staff;
}

const KEY = 'clubcore.console.session';
const listeners = new Set<() => void>();

function read(): Session | null {
  try {
    const session = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return session && new Date(session.expiresAt).getTime() > Date.now() ? session : null;
  } catch {
    return null;
  }
}

function changed(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

export const tokenOf = (): string | null => read()?.token ?? null;
export const signedIn = (session: Session): void => changed(session);
export const signedOut = (): void => changed(null);

/** The staff user signed in, re-rendering on sign-in and sign-out. */
export function useStaff(): Staff | null {
  const [staff, setStaff] = useState(() => read()?.staff ?? null);
  useEffect(() => {
    const update = () => setStaff(read()?.staff ?? null);
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return staff;
}
