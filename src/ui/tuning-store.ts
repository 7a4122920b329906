import { adapterKey } from '../bench/autotune.ts';
import type { AdapterSummary } from '../train/engine.ts';

/** The browser's counterpart of `~/.cache/gradscope/matmul-tuning.json`: one table per adapter. */
const key = (a: AdapterSummary): string => `gradscope.matmul-tuning.${adapterKey(a)}`;

export function loadTuning(a: AdapterSummary): Record<string, string> | null {
  try {
    const raw = localStorage.getItem(key(a));
    const data = raw ? (JSON.parse(raw) as unknown) : null;
    return data && typeof data === 'object' ? (data as Record<string, string>) : null;
  } catch {
    return null; // storage disabled or a damaged entry: tuning is an optimization, never a requirement
  }
}

export function saveTuning(a: AdapterSummary, table: Record<string, string>): void {
  try {
    localStorage.setItem(key(a), JSON.stringify({ ...loadTuning(a), ...table }));
  } catch {
    // Private browsing can refuse storage; the page still shows the result.
  }
}
