import { CrudScreen } from '../crud';
import { labelOf, useOptions } from '../options';
import type { Route } from '../router';

interface Door {
  id: number;
  title: string;
  doorCode: string;
  locationId: number;
  type: string;
  accessControl: boolean;
  active: boolean;
}

const TYPES = ['entrance', 'exit', 'internal'].map((t) => ({ value: t, label: t[0]!.toUpperCase() + t.slice(1) }));

/** Settings > Doors: visits and door events need an entrance door per location. */
export function DoorsScreen({ route }: { route: Route }) {
  const locations = useOptions<{ id: number; name: string }>('/admin/locations', (l) => l.name);
  return (
    <CrudScreen<Door>
      route={route}
      spec={{
        title: 'Doors',
        noun: 'door',
        path: '/admin/doors',
        defaults: { type: 'entrance', active: true },
        nameOf: (d) => d.title,
        columns: [
          { label: 'Title', render: (d) => d.title },
          { label: 'Door code', render: (d) => <code>{d.doorCode}</code> },
          { label: 'Location', render: (d) => labelOf(locations, d.locationId) },
          { label: 'Type', render: (d) => d.type },
          { label: 'Access control', render: (d) => (d.accessControl ? 'Yes' : 'No') },
          { label: 'Active', render: (d) => (d.active ? 'Yes' : 'No') },
        ],
        fields: [
          { name: 'title', label: 'Title', required: true },
          { name: 'doorCode', label: 'Door code', required: true, hint: 'Unique in the club' },
          { name: 'locationId', label: 'Location', type: 'select', required: true, options: locations },
          { name: 'type', label: 'Type', type: 'select', required: true, options: TYPES },
          { name: 'accessControl', label: 'Access control', type: 'checkbox' },
          { name: 'active', label: 'Active', type: 'checkbox' },
        ],
      }}
    />
  );
}
