import { describe, expect, it } from '@jest/globals';
import { contractToPackage, productToPackage, toImportedClient } from '../../src/integrations/perfect-gym/members.js';
import type { PgContract, PgMember, PgMemberProduct } from '../../src/integrations/perfect-gym/types.js';

const contract = (overrides: Partial<PgContract> = {}): PgContract => ({
  id: 70, isDeleted: false, version: 900, memberId: 5, paymentPlanId: 2, clubId: 1, signUpDate: '2026-01-01T10:00:00',
  startDate: '2026-01-01T00:00:00', endDate: '2026-12-31T23:59:59', cancelDate: null, status: 'Current', isActive: true, isAdditionalContract: false,
  ...overrides,
});
const product = (overrides: Partial<PgMemberProduct> = {}): PgMemberProduct => ({
  id: 80, isDeleted: false, version: 901, memberId: 5, productId: 4, clubId: 1, purchaseDate: '2026-03-01T12:00:00', expiryDate: '2026-05-30T12:00:00',
  ...overrides,
});

describe('Perfect Gym contracts and member products as client packages', () => {
  it('maps a contract to its payment plan alt id, keyed by integration and contract, in the club time zone', () => {
    expect(contractToPackage(3, 42, contract(), 'Europe/Warsaw')).toEqual({
      clientId: 42, altId: 'payment_plan_2', source: 'perfect_gym', sourceRef: '3:contract:70', integrationId: 3,
      startsAt: new Date('2025-12-31T23:00:00.000Z'), endsAt: new Date('2026-12-31T22:59:59.000Z'), status: 'active', sourceVersion: 900,
    });
    // a cancelled contract ends at its cancel date
    expect(contractToPackage(3, 42, contract({ cancelDate: '2026-06-30T00:00:00' }), 'UTC').endsAt).toEqual(new Date('2026-06-30T00:00:00.000Z'));
  });

  it('maps contract states: Current and NotStarted -> active, Freezed -> suspended, ended, inactive or deleted -> ended', () => {
    const status = (overrides: Partial<PgContract>) => contractToPackage(3, 42, contract(overrides), 'UTC').status;
    expect(status({ status: 'Current' })).toBe('active');
    expect(status({ status: 'NotStarted' })).toBe('active'); // counts from its start date (validAt)
    expect(status({ status: 'Freezed' })).toBe('suspended');
    expect(status({ status: 'Ended' })).toBe('ended');
    expect(status({ status: 'Current', isActive: false })).toBe('ended');
    expect(status({ status: 'Freezed', isDeleted: true })).toBe('ended');
  });

  it('maps a member product to its product alt id, ended once deleted or expired', () => {
    const before = new Date('2026-05-01T00:00:00Z');
    expect(productToPackage(3, 42, product(), 'UTC', before)).toEqual({
      clientId: 42, altId: 'product_4', source: 'perfect_gym', sourceRef: '3:member_product:80', integrationId: 3,
      startsAt: new Date('2026-03-01T12:00:00.000Z'), endsAt: new Date('2026-05-30T12:00:00.000Z'), status: 'active', sourceVersion: 901,
    });
    expect(productToPackage(3, 42, product(), 'UTC', new Date('2026-05-30T12:00:01Z')).status).toBe('ended');
    expect(productToPackage(3, 42, product({ isDeleted: true }), 'UTC', before).status).toBe('ended');
    expect(productToPackage(3, 42, product({ expiryDate: null }), 'UTC', new Date('2099-01-01T00:00:00Z')).status).toBe('active');
  });

  it('maps a member to a client: active unless inactive or deleted, fields cut to the columns', () => {
    const member: PgMember = {
      id: 5, isDeleted: false, version: 77, number: 'M-5', firstName: 'Ada', secondName: null, lastName: 'L'.repeat(120), email: 'ada@mail.example',
      phoneNumber: null, birthdate: '1990-02-03T00:00:00', sex: null, homeClubId: 1, isActive: true, memberType: 'Member', createdDate: null,
    };
    const client = toImportedClient(3, member, { id: 9 } as never);
    expect(client).toMatchObject({ externalKey: '3:member:5', identityValue: '5', firstName: 'Ada', birthDate: '1990-02-03', homeLocationId: 9, memberNumber: 'M-5', status: 'active', sourceVersion: 77 });
    expect(client.lastName).toHaveLength(100);
    expect(toImportedClient(3, { ...member, isActive: false }, undefined)).toMatchObject({ status: 'inactive', homeLocationId: null });
    expect(toImportedClient(3, { ...member, isDeleted: true }, undefined).status).toBe('inactive');
  });
});
