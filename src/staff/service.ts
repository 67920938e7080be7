import type { AppContext } from '../context.js';

// Placeholder: staff users are being built.
/** Creates the first admin when there is no staff user yet; returns the credentials to print, else null. */
export async function ensureFirstAdmin(
  _ctx: AppContext,
  _fixed?: { email: string; password: string },
): Promise<{ email: string; password: string } | null> {
  return null;
}

export async function createStaffUser(
  _ctx: AppContext,
  _input: { email: string; password: string; name: string; role: 'admin' | 'manager' },
): Promise<{ id: number; email: string; role: string }> {
  throw new Error('not built yet');
}
