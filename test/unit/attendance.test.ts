import { describe, expect, it } from '@jest/globals';
import type { BookedClass } from '../../src/bookings/repository.js';
import { attendedAt, type Entry } from '../../src/bookings/service.js';

const t = (hhmm: string) => new Date(`2026-05-04T${hhmm}:00.000Z`);
const yoga: BookedClass = { id: 1, clientId: 7, locationId: 3, startsAt: t('18:00'), endsAt: t('19:00') };
const entry = (hhmm: string, overrides: Partial<Entry> = {}): Entry => ({ clientId: 7, locationId: 3, occurredAt: t(hhmm), ...overrides });

describe('attendance rule', () => {
  it('counts an entry from the window before the start until the end of the class', () => {
    expect(attendedAt([yoga], [entry('17:00')], 60)).toEqual(new Map([[1, t('17:00')]]));
    expect(attendedAt([yoga], [entry('19:00')], 60)).toEqual(new Map([[1, t('19:00')]]));
    expect(attendedAt([yoga], [entry('16:59')], 60).size).toBe(0);
    expect(attendedAt([yoga], [entry('19:01')], 60).size).toBe(0);
    expect(attendedAt([yoga], [entry('17:30')], 15).size).toBe(0);
  });

  it('needs the same client at the same location', () => {
    expect(attendedAt([yoga], [entry('17:55', { clientId: 8 })], 60).size).toBe(0);
    expect(attendedAt([yoga], [entry('17:55', { locationId: 4 })], 60).size).toBe(0);
  });

  it('takes the time of the entry that matched the class, the earliest of several, whatever the order of the batch', () => {
    const batch = [entry('09:00'), entry('17:55', { locationId: 4 }), entry('18:10'), entry('17:50'), entry('20:00')];
    expect(attendedAt([yoga], batch, 60)).toEqual(new Map([[1, t('17:50')]]));
  });

  it('gives each class of a batch its own entry', () => {
    const spin: BookedClass = { id: 2, clientId: 7, locationId: 3, startsAt: t('20:00'), endsAt: t('21:00') };
    const other: BookedClass = { id: 3, clientId: 9, locationId: 3, startsAt: t('18:00'), endsAt: t('19:00') };
    const batch = [entry('17:40'), entry('19:45'), entry('18:05', { clientId: 9 })];
    expect(attendedAt([yoga, spin, other], batch, 60)).toEqual(new Map([[1, t('17:40')], [2, t('19:45')], [3, t('18:05')]]));
  });
});
