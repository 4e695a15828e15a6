/**
 * The signed-in caller (GET /api/v1/me), read once per session: the provider
 * mounts after login and unmounts at logout, so one user's roles never show
 * for the next.
 */
import { createContext, useContext, type ReactNode } from 'react';
import { paths } from './endpoints';
import type { Me } from './types';
import { useApi } from './use-api';

const MeContext = createContext<Me | undefined>(undefined);

export function MeProvider({ children }: { children: ReactNode }) {
  const me = useApi<Me>(paths.me);
  return <MeContext.Provider value={me.data}>{children}</MeContext.Provider>;
}

/** The caller, or undefined until /me answers. */
export function useMe(): Me | undefined {
  return useContext(MeContext);
}
