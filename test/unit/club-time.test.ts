import { describe, expect, it } from '@jest/globals';
import { clubTimeToUtc } from '../../src/integrations/perfect-gym/time.js';
import { canonicalTimezone } from '../../src/locations/service.js';

describe('club time zones', () => {
  it('turns Perfect Gym club-local date-times into instants, across DST transitions', () => {
    const cases: [string, string, string][] = [
      ['2026-07-01T12:00:00', 'Europe/Warsaw', '2026-07-01T10:00:00.000Z'],
      ['2026-01-15T08:30:00', 'America/New_York', '2026-01-15T13:30:00.000Z'],
      ['2026-03-29T01:30:00', 'Europe/Berlin', '2026-03-29T00:30:00.000Z'], // before the spring-forward
      ['2026-03-29T03:30:00', 'Europe/Berlin', '2026-03-29T01:30:00.000Z'], // after it
      ['2026-10-25T00:30:00', 'Europe/Berlin', '2026-10-24T22:30:00.000Z'],
      ['2026-10-25T04:00:00', 'Europe/Berlin', '2026-10-25T03:00:00.000Z'],
      ['2026-06-01T00:00:00', 'Australia/Sydney', '2026-05-31T14:00:00.000Z'],
      ['2026-11-24T10:00:00', 'UTC', '2026-11-24T10:00:00.000Z'],
      ['2026-11-24T10:00:00.123', 'UTC', '2026-11-24T10:00:00.000Z'], // fractions of a second are dropped
    ];
    for (const [local, zone, utc] of cases) expect([local, zone, clubTimeToUtc(local, zone)!.toISOString()]).toEqual([local, zone, utc]);
    expect(clubTimeToUtc(null, 'UTC')).toBeNull();
    expect(clubTimeToUtc('not a date', 'UTC')).toBeNull();
  });

  it('takes a date-time that carries an offset as that instant, whatever the club zone', () => {
    const cases: [string, string][] = [
      ['2026-07-01T12:00:00Z', '2026-07-01T12:00:00.000Z'],
      ['2026-07-01T12:00:00+02:00', '2026-07-01T10:00:00.000Z'],
      ['2026-07-01T12:00:00.789-05:00', '2026-07-01T17:00:00.000Z'],
      ['2026-03-29T01:30:00+0100', '2026-03-29T00:30:00.000Z'],
    ];
    for (const [value, utc] of cases) expect([value, clubTimeToUtc(value, 'Australia/Sydney')!.toISOString()]).toEqual([value, utc]);
    expect(clubTimeToUtc('2026-07-01T25:00:00Z', 'UTC')).toBeNull();
  });

  it('knows a location time zone by its canonical IANA name, whatever the case, and refuses unknown zones', () => {
    expect(canonicalTimezone('europe/warsaw')).toBe('Europe/Warsaw');
    expect(canonicalTimezone('utc')).toBe('UTC');
    expect(canonicalTimezone('America/New_York')).toBe('America/New_York');
    expect(canonicalTimezone('Mars/Olympus')).toBeNull();
    expect(canonicalTimezone('')).toBeNull();
  });
});
