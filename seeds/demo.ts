import type { AppContext } from '../src/context.js';

// Placeholder: idempotent demo data is being built.
export async function seedDemo(_ctx: AppContext): Promise<{ lines: string[] }> {
  return { lines: [] };
}
