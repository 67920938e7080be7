/**
 * API keys: EGYM issues one per gym location; the locations of one chain share its members
 * (e-mails and membership ids are unique chain-wide). What a key may do is a set of permissions;
 * EGYM does not publish its permission names, so these are the sandbox's own.
 */
export const PERMISSIONS = ['accounts:read', 'accounts:write', 'visits:write', 'webhooks', 'products:read'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface ApiKeySpec {
  key: string;
  gymId: string;
  /** Default `chain-1`. */
  chainId?: string;
  /** Default: every permission. */
  permissions?: Permission[];
}

export interface ApiKey {
  key: string;
  gymId: string;
  chainId: string;
  permissions: Permission[];
}

export const DEFAULT_CHAIN = 'chain-1';

/** Two locations of one chain with full keys, and a read-only key for the first. */
export const DEFAULT_KEYS: ApiKeySpec[] = [
  { key: 'mms-gym-1-key', gymId: 'gym-1' },
  { key: 'mms-gym-2-key', gymId: 'gym-2' },
  { key: 'mms-gym-1-readonly-key', gymId: 'gym-1', permissions: ['accounts:read', 'products:read'] },
];

export function apiKeys(specs: ApiKeySpec[]): ApiKey[] {
  if (!specs.length) throw new Error('at least one API key is needed');
  const chainOfGym = new Map<string, string>();
  const seen = new Set<string>();
  return specs.map((spec) => {
    if (!spec.key || !spec.gymId) throw new Error('an API key needs a key and a gymId');
    if (seen.has(spec.key)) throw new Error(`API key ${spec.key} is given twice`);
    seen.add(spec.key);
    const chainId = spec.chainId ?? DEFAULT_CHAIN;
    if ((chainOfGym.get(spec.gymId) ?? chainId) !== chainId) throw new Error(`gym ${spec.gymId} cannot belong to two chains`);
    chainOfGym.set(spec.gymId, chainId);
    return { key: spec.key, gymId: spec.gymId, chainId, permissions: permissions(spec.permissions ?? PERMISSIONS) };
  });
}

/**
 * Keys as the CLI takes them: comma-separated `KEY=GYM[@CHAIN][:PERMISSION+PERMISSION...]`, e.g.
 * `k1=gym-a,k2=gym-b@chain-2,k3=gym-a:accounts:read+products:read`.
 */
export function parseKeys(text: string): ApiKeySpec[] {
  return text.split(',').map((entry) => {
    const m = /^([^=]+)=([^@:]+)(?:@([^:]+))?(?::(.+))?$/.exec(entry.trim());
    if (!m) throw new Error(`"${entry}" is not KEY=GYM[@CHAIN][:PERMISSION+...]`);
    const [, key, gymId, chainId, perms] = m;
    return { key: key!, gymId: gymId!, ...(chainId ? { chainId } : {}), ...(perms ? { permissions: permissions(perms.split('+')) } : {}) };
  });
}

function permissions(names: readonly string[]): Permission[] {
  const unknown = names.filter((p) => !(PERMISSIONS as readonly string[]).includes(p));
  if (unknown.length) throw new Error(`unknown permission ${unknown.join(', ')} (known: ${PERMISSIONS.join(', ')})`);
  return [...names] as Permission[];
}
