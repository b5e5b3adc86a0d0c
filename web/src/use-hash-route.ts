/**
 * The dashboard's routes live in the URL hash (`#/nodes/gw-1`), so a reload or a shared link
 * opens the same page and the controller needs no server-side routing for them.
 *
 * @example
 * const route = useHashRoute(); // { page: 'nodes', param: 'gw-1' }
 */
import { useEffect, useState } from 'react';

export interface Route {
  page: string;
  param: string | undefined;
}

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  return {
    page: parts[0] ?? 'overview',
    param: parts[1] ? decodeURIComponent(parts[1]) : undefined,
  };
}

export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
