/**
 * What every view needs from the shell: the API client, the session (for role checks) and the
 * live feed, through one React context.
 *
 * @example
 * const { api, session, feed } = useApp();
 */
import { createContext, useContext } from 'react';
import type { ApiClient } from './api/client.ts';
import type { LiveFeed } from './api/live-feed.ts';
import type { Session } from './api/types.ts';

export interface AppContextValue {
  api: ApiClient;
  session: Session;
  feed: LiveFeed;
  navigate: (hash: string) => void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside of AppContext');
  return value;
}

export const isAdmin = (s: Session): boolean => s.role === 'admin';

/** Operators and admins act on the mesh: acknowledge, push, upgrade, inject faults. */
export const canOperate = (s: Session): boolean => s.role === 'operator' || s.role === 'admin';
