import { describe, expect, it } from '@jest/globals';
import type { Grant } from '../../src/packages/repository.js';
import { grantsAllow, validAt } from '../../src/packages/service.js';

const at = (iso: string) => new Date(iso);

describe('package validity', () => {
  const cp = { status: 'active', packageId: 1, startsAt: at('2026-01-01T00:00:00Z'), endsAt: at('2026-12-31T23:59:59Z') };

  it('counts an active, applied client package between its start and end, both included', () => {
    expect(validAt(cp, at('2026-06-01T00:00:00Z'))).toBe(true);
    expect(validAt(cp, cp.startsAt)).toBe(true);
    expect(validAt(cp, cp.endsAt)).toBe(true);
    expect(validAt(cp, at('2025-12-31T23:59:59Z'))).toBe(false);
    expect(validAt(cp, at('2027-01-01T00:00:00Z'))).toBe(false);
    expect(validAt({ ...cp, startsAt: null, endsAt: null }, at('1990-01-01T00:00:00Z'))).toBe(true);
  });

  it('does not count suspended, ended or pending (no package yet) client packages', () => {
    const mid = at('2026-06-01T00:00:00Z');
    expect(validAt({ ...cp, status: 'suspended' }, mid)).toBe(false);
    expect(validAt({ ...cp, status: 'ended' }, mid)).toBe(false);
    expect(validAt({ ...cp, packageId: null }, mid)).toBe(false);
  });

  it('allows a class when any grant covers its activity and location at its start', () => {
    const yogaHere: Grant = { packageId: 1, activityIds: new Set([10]), locationIds: new Set([3]), startsAt: null, endsAt: at('2026-06-30T23:59:59Z') };
    const gymEverywhere: Grant = { packageId: 2, activityIds: new Set([20]), locationIds: new Set(), startsAt: at('2026-02-01T00:00:00Z'), endsAt: null };
    const grants = [yogaHere, gymEverywhere];
    const june = at('2026-06-15T18:00:00Z');
    expect(grantsAllow(grants, { activityId: 10, locationId: 3, startsAt: june })).toBe(true);
    expect(grantsAllow(grants, { activityId: 10, locationId: 4, startsAt: june })).toBe(false);
    expect(grantsAllow(grants, { activityId: 10, locationId: 3, startsAt: at('2026-07-01T09:00:00Z') })).toBe(false);
    expect(grantsAllow(grants, { activityId: 20, locationId: 99, startsAt: june })).toBe(true);
    expect(grantsAllow(grants, { activityId: 20, locationId: 99, startsAt: at('2026-01-31T23:00:00Z') })).toBe(false);
    expect(grantsAllow([], { activityId: 10, locationId: 3, startsAt: june })).toBe(false);
  });
});
