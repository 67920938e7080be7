import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/*
 * Pages are paths under the console's base (/console/integrations/3): a reload or a shared link
 * opens the same page (clubcore answers index.html for every path under /console). The query
 * string carries prefills (/console/packages?new=1&altId=payment_plan_5).
 */

const BASE = import.meta.env.BASE_URL;
const listeners = new Set<() => void>();

export interface Route {
  /** The path's segments after the base: ['integrations', '3']. */
  parts: string[];
  query: URLSearchParams;
}

function current(): Route {
  const rest = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '';
  return { parts: rest.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(location.search) };
}

export const hrefOf = (to: string): string => `${BASE}${to.replace(/^\/+/, '')}`;

export function navigate(to: string): void {
  history.pushState(null, '', hrefOf(to));
  for (const listener of listeners) listener();
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** A link to a console page: a real href (a new tab works), followed without reloading. */
export function Link({ to, ...rest }: { to: string; children: ComponentChildren; class?: string; 'aria-label'?: string; 'aria-current'?: 'page' }) {
  const follow = (e: MouseEvent) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(to);
  };
  return <a {...rest} href={hrefOf(to)} onClick={follow} />;
}
