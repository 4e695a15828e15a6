/**
 * Reads an API path into a component: loading, data, error, and optional
 * polling that keeps showing the last answer while the next one loads (live
 * views do not flicker). A route the control plane does not have yet reads as
 * `missing`, for an empty state.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, get } from './client';

export interface ApiState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** The route does not exist on this control plane. */
  missing: boolean;
  reload: () => void;
}

export function useApi<T>(path: string | null, opts: { refreshMs?: number; text?: boolean } = {}): ApiState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState<boolean>(path !== null);
  const [missing, setMissing] = useState(false);
  const [tick, setTick] = useState(0);
  const lastPath = useRef<string | null>(null);

  useEffect(() => {
    if (path === null) {
      setLoading(false);
      return;
    }
    if (lastPath.current !== path) {
      // Another resource: forget the previous one's answer.
      setData(undefined);
      setError(undefined);
      setMissing(false);
      lastPath.current = path;
    }
    const ctrl = new AbortController();
    setLoading(true);
    get<T>(path, { signal: ctrl.signal, ...(opts.text ? { text: true } : {}) })
      .then((d) => {
        setData(d);
        setError(undefined);
        setMissing(false);
      })
      .catch((err: unknown) => {
        if ((err as Error).name === 'AbortError') return;
        if (err instanceof ApiError && err.missingRoute) setMissing(true);
        else setError(err);
      })
      .finally(() => {
        if (!ctrl.signal.aborted) setLoading(false);
      });
    return () => ctrl.abort();
  }, [path, tick, opts.text]);

  useEffect(() => {
    if (!opts.refreshMs || path === null) return;
    const id = window.setInterval(() => {
      if (document.visibilityState !== 'hidden') setTick((t) => t + 1);
    }, opts.refreshMs);
    return () => window.clearInterval(id);
  }, [opts.refreshMs, path]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, missing, reload };
}
