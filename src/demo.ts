import type { AppContext } from './context.js';

// Placeholder: the zero-config demo (sandbox + integration + initial sync) is being built.
export async function startDemo(_ctx: AppContext): Promise<{ lines: string[]; stop(): Promise<void> }> {
  return { lines: [], stop: async () => {} };
}
