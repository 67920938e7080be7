import { CrudScreen } from '../crud';
import { labelOf, useOptions } from '../options';
import type { Route } from '../router';

interface Package {
  id: number;
  name: string;
  altId: string | null;
  activityIds: number[];
  locationIds: number[];
}

/** Packages: what a membership grants (activities, locations); the alt id maps a Perfect Gym plan or product to it. */
export function PackagesScreen({ route }: { route: Route }) {
  const activities = useOptions<{ id: number; name: string }>('/admin/activities', (a) => a.name);
  const locations = useOptions<{ id: number; name: string }>('/admin/locations', (l) => l.name);
  const names = (options: typeof activities, ids: number[]) => ids.map((id) => labelOf(options, id)).join(', ');
  return (
    <CrudScreen<Package>
      route={route}
      spec={{
        title: 'Packages',
        noun: 'package',
        path: '/admin/packages',
        nameOf: (p) => p.name,
        intro: <p class="hint">Perfect Gym’s plans and products and their alt ids are on each Perfect Gym integration’s Catalog tab.</p>,
        columns: [
          { label: 'Name', render: (p) => p.name },
          { label: 'Alt ID', render: (p) => (p.altId ? <code>{p.altId}</code> : '—') },
          { label: 'Activities', render: (p) => names(activities, p.activityIds) || '—' },
          { label: 'Locations', render: (p) => names(locations, p.locationIds) || 'All' },
        ],
        fields: [
          { name: 'name', label: 'Name', required: true },
          { name: 'altId', label: 'Alt ID', empty: 'null', hint: 'payment_plan_<id> or product_<id> for Perfect Gym' },
          { name: 'activityIds', label: 'Activities granted', type: 'choices', options: activities },
          { name: 'locationIds', label: 'Locations granted (none: all)', type: 'choices', options: locations },
        ],
      }}
    />
  );
}
