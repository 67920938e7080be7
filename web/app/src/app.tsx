import { useEffect, useState } from 'preact/hooks';
import { Bookings } from './bookings';
import { Classes } from './classes';
import { EgymRefused } from './egym-refused';
import { t } from './i18n';
import { hrefOf, navigate, useRoute, type Route } from './routes';
import { onSessionChange, sessionState, signOut, type SessionState } from './session';
import { SignIn } from './sign-in';

function useSession(): SessionState {
  const [state, setState] = useState(sessionState);
  useEffect(() => onSessionChange(() => setState(sessionState())), []);
  return state;
}

function Tab({ route, current }: { route: Route; current: Route }) {
  return (
    <a
      href={hrefOf(route)}
      aria-current={route === current ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(route);
      }}
    >
      {t(route === 'classes' ? 'classes' : 'myBookings')}
    </a>
  );
}

/** The screen for where the session stands: starting, an EGYM refusal, the sign-in page, or the member's pages. */
export function App({ retryEgym }: { retryEgym: () => void }) {
  const session = useSession();
  const route = useRoute();
  if (session.kind === 'starting') return <main class="page muted" aria-busy="true">{t('loading')}</main>;
  if (session.kind === 'refused') return <EgymRefused refusal={session.refusal} retry={retryEgym} />;
  if (session.kind === 'signedOut') return <SignIn notice={session.notice} />;
  return (
    <>
      <header class="bar">
        <nav class="tabs">
          <Tab route="classes" current={route} />
          <Tab route="bookings" current={route} />
        </nav>
        {session.via === 'password' && (
          <button type="button" class="link sign-out" onClick={() => void signOut()}>
            {t('signOut')}
          </button>
        )}
      </header>
      <main class="page">{route === 'classes' ? <Classes member={session.member} /> : <Bookings />}</main>
    </>
  );
}
