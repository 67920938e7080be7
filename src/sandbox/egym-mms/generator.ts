/** Deterministic demo accounts: the same seed gives the same members, ids and update times. */
import { seededRandom } from '../perfect-gym/generator.js';
import type { AccountStore } from './accounts.js';
import type { AccountInput } from './dto.js';
import type { ApiKey } from './keys.js';

const FIRST = ['Anna', 'Lukas', 'Zoë', 'José', 'Małgorzata', 'Ørjan', 'Chloé', 'Jürgen', 'Siobhán', 'Mohammed', 'Yuki', 'Olga', 'Piotr', 'Émile', 'Fatima'];
const LAST = ['Kowalski', 'Müller', 'Nowak', 'García', 'Smith', "O'Brien", 'Nguyễn', 'Andersson', 'Dubois', 'Rossi', 'Tanaka', 'Schäfer'];
const DAY = 86_400_000;

/** A v4-shaped UUID from the seeded random, so account ids repeat with the seed. */
export function seededUuid(random: () => number): () => string {
  return () => {
    const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
    hex[12] = '4';
    hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
    const s = hex.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  };
}

/** `count` accounts spread over the keys' locations, last written at some moment of the past 30 days. */
export function generateAccounts(store: AccountStore, keys: ApiKey[], opts: { count: number; seed: number; now: number }) {
  const rnd = seededRandom(opts.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const gyms = [...new Map(keys.map((k) => [k.gymId, k.chainId])).entries()];
  for (let n = 1; n <= opts.count; n++) {
    const [gymId, chainId] = gyms[n % gyms.length]!;
    const firstName = pick(FIRST);
    const lastName = pick(LAST);
    const ascii = `${firstName}.${lastName}`.normalize('NFD').replace(/[^A-Za-z.]/g, '').toLowerCase();
    const start = opts.now - Math.floor(rnd() * 3 * 365) * DAY;
    const input: AccountInput = {
      email: `${ascii}.${n}@mail.example`,
      firstName,
      lastName,
      dateOfBirth: new Date(Date.UTC(1960 + Math.floor(rnd() * 45), Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 28))).toISOString().slice(0, 10),
      gender: pick(['MALE', 'FEMALE', 'NON_BINARY'] as const),
      ...(rnd() < 0.7 ? { contact: { phone: `+49 151 ${String(n).padStart(7, '0')}`, city: pick(['Berlin', 'München', 'Kraków', 'London']), country: pick(['DE', 'PL', 'GB']) } } : {}),
      membership: {
        membershipId: `M${String(n).padStart(6, '0')}`,
        membershipType: pick(['BASIC', 'BASIC', 'PREMIUM', 'PROSPECT'] as const),
        startOfContract: new Date(start).toISOString().slice(0, 10),
        ...(rnd() < 0.5 ? { endOfContract: new Date(start + 365 * DAY).toISOString().slice(0, 10) } : {}),
      },
    };
    store.create(chainId, gymId, input, opts.now - Math.floor(rnd() * 30 * DAY));
  }
}
