// Re-reads a resource every few seconds while the page shows it (the lists are live; the transcript streams).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from './api.js';

export function usePoll<T>(load: () => Promise<T>, everyMs: number, deps: unknown[] = []): { data: T | undefined; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const seq = useRef(0);
  const reload = useCallback(() => {
    const mine = ++seq.current;
    loadRef.current().then(
      (d) => {
        if (mine !== seq.current) return; // an older answer arriving late
        setData(d);
        setError(null);
      },
      (e: unknown) => {
        if (mine === seq.current) setError(errorText(e));
      },
    );
  }, []);
  useEffect(() => {
    reload();
    const t = setInterval(reload, everyMs);
    return () => clearInterval(t);
  }, deps);
  return { data, error, reload };
}
