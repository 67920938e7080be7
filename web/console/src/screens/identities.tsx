import { CrudScreen } from '../crud';
import type { Route } from '../router';

export interface IdentityType {
  id: number;
  name: string;
  kind: string;
  maxPerClient: number;
  minDaysBetweenChanges: number;
  active: boolean;
}

// src/identities/repository.ts IDENTITY_KINDS, in the guide's words where it has them.
const KINDS: [string, string][] = [
  ['perfect_gym_member', 'Perfect Gym member id'],
  ['third_party_id', 'Third-party ID'],
  ['membership_number', 'Membership number'],
  ['card', 'Card'],
  ['egym_bma_user', 'EGYM app user'],
  ['egym_account', 'EGYM account'],
  ['wellpass', 'EGYM Wellpass'],
  ['other', 'Other'],
];

/** Settings > Identities: the kinds of ids clients carry (a Perfect Gym member id, a card). */
export function IdentitiesScreen({ route }: { route: Route }) {
  return (
    <CrudScreen<IdentityType>
      route={route}
      spec={{
        title: 'Identities',
        noun: 'identity type',
        path: '/admin/identity-types',
        defaults: { maxPerClient: 1, minDaysBetweenChanges: 0, active: true },
        nameOf: (t) => t.name,
        columns: [
          { label: 'Name', render: (t) => t.name },
          { label: 'Type', render: (t) => KINDS.find(([k]) => k === t.kind)?.[1] ?? t.kind },
          { label: 'Max per client', render: (t) => t.maxPerClient },
          { label: 'Min. days between changes', render: (t) => t.minDaysBetweenChanges },
          { label: 'Active', render: (t) => (t.active ? 'Yes' : 'No') },
        ],
        fields: [
          { name: 'kind', label: 'Type', type: 'select', required: true, options: KINDS.map(([value, label]) => ({ value, label })) },
          { name: 'name', label: 'Display name', required: true },
          { name: 'maxPerClient', label: 'Max per client', type: 'number', hint: 'An integration’s member id needs 1' },
          { name: 'minDaysBetweenChanges', label: 'Minimum days between changes', type: 'number' },
          { name: 'active', label: 'Active', type: 'checkbox' },
        ],
      }}
    />
  );
}
