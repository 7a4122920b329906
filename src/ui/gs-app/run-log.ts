import type { AdapterSummary } from '../../gpu/device.ts';
import { configLine, stepLine } from '../../io/jsonl.ts';
import type { RunConfig } from '../../model/config.ts';
import { diagnose } from '../../stats/diagnosis.ts';
import type { Diagnosis, StepRecord } from '../../stats/record.ts';
import type { RunId } from '../session/run-controller.ts';

/** Records kept per run for export and diagnosis (a long run keeps its most recent ones). */
const KEEP = 20_000;

/** The page's memory of what each run reported: enough to diagnose it and to export it as JSONL. */
export class RunLog {
  private records: Record<RunId, StepRecord[]> = { A: [], B: [] };

  add(run: RunId, r: StepRecord): void {
    const list = this.records[run];
    list.push(r);
    if (list.length > KEEP) list.shift();
  }

  last(run: RunId): StepRecord | undefined {
    return this.records[run].at(-1);
  }

  clear(): void {
    this.records = { A: [], B: [] };
  }

  /** The diagnosis of run A's recent records under its config. */
  diagnose(c: RunConfig): Diagnosis[] {
    return diagnose(this.records.A.slice(-200), {
      activation: c.model.activation,
      residual: c.model.residual,
      norm: c.model.norm,
      clipMode: c.train.clip.mode,
      lr: c.train.lr,
      init: c.model.init.scheme,
    });
  }

  /** Run A as the CLI writes it: a config line, then one line per record. */
  jsonl(config: RunConfig, adapter: AdapterSummary): string {
    const lines = [configLine({ config: { ...config }, adapter, version: '0.1.0', date: new Date().toISOString() }), ...this.records.A.map(stepLine)];
    return lines.join('\n') + '\n';
  }
}
