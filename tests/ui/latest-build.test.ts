import { describe, expect, it } from 'vitest';
import { LatestBuild, SUPERSEDED } from '../../src/ui/session/latest-build.ts';

const later = <T>(v: T, fail = false): (() => Promise<T>) => () => new Promise((ok, no) => setTimeout(() => (fail ? no(new Error(String(v))) : ok(v)), 5));

describe('LatestBuild', () => {
  it('a failed build rejects only its own request: the next one builds', async () => {
    const q = new LatestBuild<string>();
    await expect(q.request(later('too big', true))).rejects.toThrow('too big');
    await expect(q.request(later('depth 12'))).resolves.toBe('depth 12');
    expect(q.idle).toBe(true);
  });

  it('runs one build at a time; requests made meanwhile collapse into the newest', async () => {
    const q = new LatestBuild<number>();
    const started: number[] = [];
    const job = (n: number) => () => (started.push(n), later(n)());
    const results = await Promise.all([1, 2, 3, 4].map((n) => q.request(job(n))));
    expect(results).toEqual([1, SUPERSEDED, SUPERSEDED, 4]);
    expect(started).toEqual([1, 4]);
  });

  it('a failure while others wait does not stop the newest', async () => {
    const q = new LatestBuild<string>();
    const a = q.request(later('refused', true));
    const b = q.request(later('good'));
    await expect(a).rejects.toThrow('refused');
    await expect(b).resolves.toBe('good');
  });
});
