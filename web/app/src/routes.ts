import { useEffect, useState } from 'preact/hooks';

/*
 * The app's two pages as paths under its base (/app/ and /app/bookings): a reload, a shared link
 * and the EGYM app's startingRoute open the same page; clubcore answers index.html for both.
 */
export type Route = 'classes' | 'bookings';

const BASE = import.meta.env.BASE_URL;
const listeners = new Set<() => void>();

export function routeOf(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : '';
  return rest.replace(/^\/+|\/+$/g, '') === 'bookings' ? 'bookings' : 'classes';
}

export function hrefOf(route: Route): string {
  return route === 'classes' ? BASE : `${BASE}${route}`;
}

export function navigate(route: Route, replace = false): void {
  history[replace ? 'replaceState' : 'pushState'](null, '', hrefOf(route));
  for (const listener of listeners) listener();
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location.pathname));
  useEffect(() => {
    const update = () => setRoute(routeOf(location.pathname));
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return route;
}
