/** Deterministic demo data: the same seed gives the same chain, members, contracts and visits. */
import type { Store } from './store.js';

/** mulberry32: small, fast, good enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CLUBS = [
  ['Warszawa Centrum', 'WAW', 'Europe/Warsaw'],
  ['Berlin Mitte', 'BER', 'Europe/Berlin'],
  ['London Bridge', 'LON', 'Europe/London'],
  ['Kraków Kazimierz', 'KRK', 'Europe/Warsaw'],
  ['New York Midtown', 'NYC', 'America/New_York'],
  ['Sydney Harbour', 'SYD', 'Australia/Sydney'],
];
const FIRST = ['Anna', 'Łukasz', 'Zoë', 'José', 'Małgorzata', 'Ørjan', 'Chloé', 'Jürgen', 'Siobhán', 'Mohammed', 'Yuki', 'Ngọc', 'Olga', 'Piotr', 'Émile', 'Fatima', 'Liam', 'Ines', 'Søren', 'Agnieszka'];
const LAST = ['Kowalski', 'Müller', 'Nowak', 'García', 'Smith', 'Brzęczyszczykiewicz', "O'Brien", 'Nguyễn', 'Andersson', 'Dubois', 'Wiśniewska', 'Rossi', 'Tanaka', 'Øvergaard', 'Schäfer'];
const PLANS: [string, boolean, string, number][] = [
  ['Basic monthly', false, 'Month', 0],
  ['Premium monthly', false, 'Month', 12],
  ['Student', false, 'Month', 6],
  ['Annual upfront', false, 'Year', 12],
  ['Sauna add-on', true, 'Month', 0],
  ['Group classes add-on', true, 'Month', 0],
];
const PRODUCTS: [string, string, number][] = [
  ['10 entries card', 'Service', 90],
  ['Personal training x5', 'Service', 60],
  ['Protein shake', 'Good', 0],
  ['Towel rental', 'Service', 30],
  ['Starter bundle', 'Bundle', 30],
];

const DAY = 86_400_000;
/** 'YYYY-MM-DDTHH:mm:ss' without an offset, the way Perfect Gym writes date-times. */
export function pgDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

export interface GeneratedLogin {
  login: string;
  password: string;
  memberId: number;
}

export function generate(store: Store, opts: { members: number; clubs: number; seed: number; now?: number }): GeneratedLogin[] {
  const rnd = seededRandom(opts.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const now = opts.now ?? Date.UTC(2026, 10, 24, 12);
  const silent = { silent: true };

  const clubIds = CLUBS.slice(0, Math.max(1, Math.min(opts.clubs, CLUBS.length))).map(([name, symbol, tz]) =>
    store.create('Clubs', { name, shortName: symbol, symbol, isHidden: false, timezoneId: tz, email: `${symbol!.toLowerCase()}@club.example`, phoneNumber: '+48 22 000 00 00' }, silent).id,
  );
  const mainPlans: number[] = [];
  const extraPlans: number[] = [];
  for (const [name, isAdditional, paymentInterval, commitmentPeriod] of PLANS) {
    const id = store.create('PaymentPlans', { name, isActive: true, isAdditional, paymentInterval, commitmentPeriod }, silent).id;
    (isAdditional ? extraPlans : mainPlans).push(id);
  }
  const productIds = PRODUCTS.map(([name, productType, validityPeriod]) => store.create('Products', { name, productType, validityPeriod }, silent).id);

  const logins: GeneratedLogin[] = [];
  let familyEmail: string | null = null;
  for (let n = 0; n < opts.members; n++) {
    const firstName = pick(FIRST);
    const lastName = pick(LAST);
    const r = rnd();
    const memberType = r < 0.9 ? 'Member' : r < 0.95 ? 'Guest' : 'Lead';
    const homeClubId = pick(clubIds);
    const ascii = `${firstName}.${lastName}`.normalize('NFD').replace(/[^A-Za-z.]/g, '').toLowerCase();
    // ~8% without e-mail; ~5% share the previous member's (families)
    const e = rnd();
    const email: string | null = e < 0.08 ? null : e < 0.13 && familyEmail ? familyEmail : `${ascii}.${n + 1}@mail.example`;
    if (email) familyEmail = email;
    const createdMs = now - Math.floor(rnd() * 3 * 365) * DAY;
    const member = store.create(
      'Members',
      {
        number: String(100000 + n + 1), firstName, secondName: rnd() < 0.1 ? pick(FIRST) : null, lastName, email,
        phoneNumber: rnd() < 0.8 ? `+48 600 ${String(n).padStart(6, '0')}` : null,
        birthdate: pgDateTime(Date.UTC(1960 + Math.floor(rnd() * 45), Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 28))),
        sex: pick(['Male', 'Female', 'Other'] as const), homeClubId, isActive: rnd() < 0.93, memberType, createdDate: pgDateTime(createdMs),
      },
      silent,
    );
    const deleted = rnd() < 0.02;
    if (deleted) store.remove('Members', member.id, silent);
    if (email && rnd() < 0.1) store.passwords.set(member.id, `pg-${member.id}-secret`);
    if (memberType !== 'Member') continue;

    // one main contract in one of every status, and an additional one for most of them
    const s = rnd();
    const status = s < 0.7 ? 'Current' : s < 0.85 ? 'Ended' : s < 0.9 ? 'NotStarted' : 'Freezed';
    // dates agree with the status: current contracts run past now, ended ones ended between start and now
    const startMs = status === 'NotStarted' ? now + (1 + Math.floor(rnd() * 30)) * DAY : createdMs;
    const openEnded = status !== 'Ended' && rnd() < 0.6;
    const endMs = status === 'Ended' ? startMs + Math.floor((now - startMs) * (0.2 + 0.8 * rnd())) : Math.max(startMs, now) + (30 + Math.floor(rnd() * 335)) * DAY;
    const contract = {
      memberId: member.id, clubId: homeClubId, signUpDate: pgDateTime(createdMs), startDate: pgDateTime(startMs),
      endDate: openEnded ? null : pgDateTime(endMs), cancelDate: status === 'Ended' && rnd() < 0.5 ? pgDateTime(Math.max(startMs, endMs - 30 * DAY)) : null,
      status, isActive: status !== 'Ended', automaticRenew: openEnded,
    };
    store.create('Contracts', { ...contract, paymentPlanId: pick(mainPlans), isAdditionalContract: false }, silent);
    if (rnd() < 0.62) store.create('Contracts', { ...contract, paymentPlanId: pick(extraPlans), isAdditionalContract: true }, silent);
    if (rnd() < 0.56) {
      const quantity = 1 + Math.floor(rnd() * 10);
      const purchaseMs = now - Math.floor(rnd() * 60) * DAY;
      store.create(
        'MemberProducts',
        {
          memberId: member.id, productId: pick(productIds), clubId: homeClubId, initialQuantity: quantity,
          currentQuantity: Math.floor(rnd() * (quantity + 1)), purchaseDate: pgDateTime(purchaseMs), expiryDate: pgDateTime(purchaseMs + 90 * DAY),
        },
        silent,
      );
    }
    if (status === 'Current' && email && logins.length < 5 && member.isActive && !deleted) {
      const password = `demo-${member.id}`;
      store.passwords.set(member.id, password);
      logins.push({ login: email, password, memberId: member.id });
    }
    if (status !== 'Current' || !member.isActive) continue;
    // a month of visits: 0-4 per active member, the latest ones may still be inside
    const visits = Math.floor(rnd() * 5);
    for (let v = 0; v < visits; v++) {
      // about one member in twenty is in the club right now (no leaveDate yet)
      const inside = v === 0 && rnd() < 0.05;
      const enterMs = inside ? now - Math.floor(rnd() * 3600_000) : now - 2 * 3600_000 - Math.floor(rnd() * 30 * DAY);
      store.create(
        'MemberClubVisits',
        { memberId: member.id, clubId: homeClubId, enterDate: pgDateTime(enterMs), leaveDate: inside ? null : pgDateTime(enterMs + (45 + Math.floor(rnd() * 90)) * 60_000), readerName: `Gate ${1 + Math.floor(rnd() * 3)}` },
        silent,
      );
    }
  }
  return logins;
}
