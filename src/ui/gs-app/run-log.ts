import { configLine, stepLine } from '../../io/jsonl.ts';
import type { RunConfig } from '../../model/config.ts';
import { diagnose, diagnoseOptions } from '../../stats/diagnosis.ts';
import type { Diagnosis, StepRecord } from '../../stats/record.ts';
import type { AdapterSummary } from '../../train/engine.ts';
import type { RunId } from '../session/run-controller.ts';

/** Records kept per run for export and diagnosis (a long run keeps its most recent ones). */
const KEEP = 20_000;

/**
 * The page's memory of what each run reported: enough to diagnose it and to export it as JSONL. The page
 * records one step per frame, so its stride is the steps a frame runs (pacing.ts); each record keeps the
 * stride it was taken at, and the export says the truth about it in `log.every`.
 */
export class RunLog {
  private records: Record<RunId, StepRecord[]> = { A: [], B: [] };
  private strides: Record<RunId, number[]> = { A: [], B: [] };

  add(run: RunId, r: StepRecord, stride = 1): void {
    const [list, strides] = [this.records[run], this.strides[run]];
    list.push(r);
    strides.push(stride);
    if (list.length > KEEP) {
      list.shift();
      strides.shift();
    }
  }

  last(run: RunId): StepRecord | undefined {
    return this.records[run].at(-1);
  }

  clear(): void {
    this.records = { A: [], B: [] };
    this.strides = { A: [], B: [] };
  }

  /**
   * The diagnosis of a run's recent records under its config (the whole config: a recurrent net is judged through
   * time, and a fix is offered only if the config it makes is valid).
   */
  diagnose(c: RunConfig, run: RunId = 'A'): Diagnosis[] {
    return diagnose(this.records[run].slice(-200), diagnoseOptions(c));
  }

  /**
   * A run (A unless told) as the CLI writes it: a config line, then one line per logged step, with `log.every` the stride
   * the page actually logged at. Strides are powers of two and every record lands on a multiple of its
   * stride, so when the speed changed during the run the coarsest stride is one the whole run kept: the
   * export holds the records on its multiples (and at multiples of train.steps, as the CLI logs them).
   */
  jsonl(config: RunConfig, adapter: AdapterSummary, run: RunId = 'A'): string {
    const every = Math.max(1, ...this.strides[run]);
    const kept = this.records[run].filter((r) => r.step % every === 0 || r.step % config.train.steps === 0);
    const resolved = { ...config, log: { every } };
    const lines = [configLine({ config: resolved, adapter, version: '0.1.0', date: new Date().toISOString() }), ...kept.map(stepLine)];
    return lines.join('\n') + '\n';
  }
}
