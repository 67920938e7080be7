import { useState } from 'preact/hooks';
import { api, ApiError } from './api';
import { Link, useRoute, type Route } from './router';
import { signedIn, signedOut, useStaff, type Staff } from './session';
import { ActivitiesScreen, ClassesScreen } from './screens/classes';
import { ClientsScreen } from './screens/clients';
import { DoorsScreen } from './screens/doors';
import { IdentitiesScreen } from './screens/identities';
import { IntegrationsScreen } from './screens/integrations';
import { LocationsScreen } from './screens/locations';
import { PackagesScreen } from './screens/packages';
import { ReferenceScreen } from './screens/reference';
import { StaffScreen } from './screens/staff';

/** The screens in the order of Fisikal's set-up guide; `adminOnly` ones are not offered to managers. */
const SCREENS: { path: string; title: string; adminOnly?: boolean; render(route: Route, staff: Staff): preact.ComponentChild }[] = [
  { path: 'identities', title: 'Identities', render: (route) => <IdentitiesScreen route={route} /> },
  { path: 'integrations', title: 'Integrations', render: (route, staff) => <IntegrationsScreen route={route} staff={staff} /> },
  { path: 'locations', title: 'Locations', render: (route) => <LocationsScreen route={route} /> },
  { path: 'doors', title: 'Doors', render: (route) => <DoorsScreen route={route} /> },
  { path: 'packages', title: 'Packages', render: (route) => <PackagesScreen route={route} /> },
  { path: 'clients', title: 'Clients', render: (route) => <ClientsScreen route={route} /> },
  { path: 'activities', title: 'Activities', render: (route) => <ActivitiesScreen route={route} /> },
  { path: 'classes', title: 'Classes', render: (route) => <ClassesScreen route={route} /> },
  { path: 'staff', title: 'Staff', adminOnly: true, render: (route) => <StaffScreen route={route} /> },
  { path: 'reference', title: 'API reference', render: () => <ReferenceScreen /> },
];

export function App() {
  const staff = useStaff();
  const route = useRoute();
  if (!staff) return <SignIn />;
  const screens = SCREENS.filter((s) => !s.adminOnly || staff.role === 'admin');
  const screen = screens.find((s) => s.path === route.parts[0]);
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link to="" class="brand">
          clubcore console
        </Link>
        <span class="who">
          {staff.name} ({staff.role})
        </span>
        <button type="button" onClick={() => void api('POST', '/auth/logout').finally(signedOut)}>
          Sign out
        </button>
      </header>
      <nav class="side" aria-label="Console">
        <ul>
          {screens.map((s) => (
            <li key={s.path}>
              <Link to={s.path} aria-current={s.path === route.parts[0] ? 'page' : undefined}>
                {s.title}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" key={route.parts.join('/')}>
        {screen ? screen.render(route, staff) : <Home />}
      </main>
    </div>
  );
}

/** The set-up guide as a checklist of screens. */
function Home() {
  return (
    <section aria-labelledby="screen-title">
      <h1 id="screen-title">Set-up guide</h1>
      <ol class="guide">
        <li>
          <Link to="identities">Identities</Link>: add the identity type for the membership system’s member id.
        </li>
        <li>
          <Link to="integrations">Integrations</Link>: add the integration, test the connection, copy the webhook URL.
        </li>
        <li>
          <Link to="locations">Locations</Link>: on each location’s Integrations tab, enter its club number.
        </li>
        <li>
          <Link to="doors">Doors</Link>: an entrance door per location.
        </li>
        <li>
          <Link to="packages">Packages</Link>: one per plan or product, from the integration’s Catalog tab.
        </li>
        <li>Perform Member Sync: on the integration’s page, for all locations or one.</li>
        <li>
          <Link to="clients">Clients</Link>: watch them arrive; then the integration’s Issues tab.
        </li>
        <li>
          <Link to="activities">Activities</Link> and <Link to="classes">Classes</Link>: the schedule members book.
        </li>
      </ol>
    </section>
  );
}

function SignIn() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      signedIn(await api('POST', '/staff/login', { email, password }));
    } catch (err) {
      const status = (err as ApiError).status;
      setError(status === 401 ? 'That e-mail or password is not right.' : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <form class="panel stack" onSubmit={submit}>
        <h1>Sign in to the clubcore console</h1>
        {error && (
          <p class="notice error" role="alert">
            {error}
          </p>
        )}
        <div class="field">
          <label for="staff-email">E-mail</label>
          <input id="staff-email" type="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="staff-password">Password</label>
          <input id="staff-password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </div>
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
