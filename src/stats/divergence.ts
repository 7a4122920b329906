import type { Divergence, DivergencePhase, StepRecord } from './record.ts';

/** "block 12", or "the head" for the last entry of the per-layer arrays. */
export function layerName(layer: number, layers: number): string {
  return layer === layers - 1 ? 'the head' : `block ${layer}`;
}

type Watched = 'weightNorm' | 'actMean' | 'actStd' | 'deltaNorm' | 'gradNorm';

/**
 * The order a step computes things in, and so the order to look for the first NaN or infinity: the
 * weights it starts from, the forward pass from the input up, the loss, then the backward pass from the
 * head down. Whatever breaks first poisons everything computed after it, so the earliest one is the cause.
 */
const PHASES: readonly { phase: DivergencePhase; keys: readonly Watched[]; fromHead: boolean }[] = [
  { phase: 'weights', keys: ['weightNorm'], fromHead: false },
  { phase: 'forward', keys: ['actMean', 'actStd'], fromHead: false },
  { phase: 'backward', keys: ['deltaNorm', 'gradNorm'], fromHead: true },
];

const INTRO: Record<DivergencePhase, string> = {
  weights: 'the weights are not finite',
  forward: 'the forward pass overflowed',
  loss: 'the loss is not finite',
  backward: 'the backward pass overflowed',
  update: 'the update was not finite',
};

function firstBadLayer(record: StepRecord, keys: readonly Watched[], fromHead: boolean): { layer: number; key: Watched; value: number } | null {
  const layers = record.gradNorm.length;
  for (let i = 0; i < layers; i++) {
    const l = fromHead ? layers - 1 - i : i;
    for (const key of keys) {
      const v = record[key][l];
      if (v !== undefined && !Number.isFinite(v)) return { layer: l, key, value: v };
    }
  }
  return null;
}

/**
 * Where a record first shows a NaN or an infinity, in the order the step computed it (PHASES): the phase,
 * the layer and the statistic. `step` is the step that first went non-finite when it is known to be
 * earlier than the record (a run logged every k steps); the record's own step otherwise. Null when the
 * record is finite throughout.
 */
export function findDivergence(record: StepRecord, step = record.step): Divergence | null {
  const layers = record.gradNorm.length;
  const seen = step === record.step ? '' : ` (seen at logged step ${record.step})`;
  const at = (phase: DivergencePhase, layer: number | null, detail: string): Divergence => ({
    step,
    layer,
    phase,
    what: `${INTRO[phase]}${layer === null ? '' : ` at ${layerName(layer, layers)}`}: ${detail}${seen}`,
  });
  const [weights, forward, backward] = PHASES.map((p) => firstBadLayer(record, p.keys, p.fromHead));
  if (weights) return at('weights', weights.layer, `${weights.key} is ${weights.value}`);
  if (forward) return at('forward', forward.layer, `${forward.key} is ${forward.value}`);
  if (!Number.isFinite(record.loss)) return at('loss', null, `loss is ${record.loss}`);
  if (backward) return at('backward', backward.layer, `${backward.key} is ${backward.value}`);
  if (!Number.isFinite(record.gradNormTotal)) return at('backward', null, `the total gradient norm is ${record.gradNormTotal}`);
  if (record.nonFinite) return at('update', null, 'the step was flagged non-finite, though every logged statistic is finite');
  return null;
}

/** The first divergence in a run, or null if every record is finite. */
export function firstDivergence(records: readonly StepRecord[]): Divergence | null {
  for (const r of records) {
    const d = findDivergence(r);
    if (d !== null) return d;
  }
  return null;
}
