import type { BenchResult } from './result.ts';

const pad = (s: string, n: number): string => s.padEnd(n);
const num = (x: number | undefined, digits: number): string => (x === undefined ? '' : x.toFixed(digits));

export function tableHeader(): string {
  return `${pad('name', 38)}${pad('case', 16)}${pad('shape', 18)}${'ms'.padStart(10)}${'GFLOP/s'.padStart(10)}${'GB/s'.padStart(9)}${'% peak'.padStart(8)}  check`;
}

/** One aligned terminal row; a failed correctness check shows its error instead of speeds. */
export function tableRow(r: BenchResult): string {
  const label = String(r.detail?.case ?? '');
  const skipped = r.detail?.skipped;
  const check = skipped ? `skipped: ${String(skipped)}` : r.ok ? `ok ${r.maxRelErr.toExponential(1)}` : `WRONG (max rel err ${r.maxRelErr.toExponential(2)})`;
  return (
    pad(r.name, 38) +
    pad(label, 16) +
    pad(r.shape.join('×'), 18) +
    num(r.ms, 2).padStart(10) +
    num(r.gflops, 2).padStart(10) +
    num(r.gbps, 2).padStart(9) +
    num(r.pctPeak, 0).padStart(8) +
    `  ${check}`
  );
}
