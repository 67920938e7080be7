import { CrudScreen } from '../crud';
import type { Route } from '../router';
import type { Staff } from '../session';

/** Staff users (admins only): who may sign in to this console, and as what. */
export function StaffScreen({ route }: { route: Route }) {
  return (
    <CrudScreen<Staff & { active: boolean }>
      route={route}
      spec={{
        title: 'Staff',
        noun: 'staff user',
        path: '/admin/staff',
        defaults: { role: 'manager', active: true },
        nameOf: (s) => s.name,
        canDelete: false,
        columns: [
          { label: 'Name', render: (s) => s.name },
          { label: 'E-mail', render: (s) => s.email },
          { label: 'Role', render: (s) => s.role },
          { label: 'Active', render: (s) => (s.active ? 'Yes' : 'No') },
        ],
        fields: [
          { name: 'name', label: 'Name', required: true },
          { name: 'email', label: 'E-mail', type: 'email', required: true },
          { name: 'role', label: 'Role', type: 'select', required: true, options: [{ value: 'manager', label: 'Manager' }, { value: 'admin', label: 'Admin' }] },
          { name: 'password', label: 'Password', type: 'password', hint: 'At least 8 characters; when editing, leave empty to keep it' },
          { name: 'active', label: 'Active', type: 'checkbox' },
        ],
      }}
    />
  );
}
