/**
 * One logged training step, exactly the fields of DESIGN.md ("Per-layer statistics"). Per-layer arrays
 * have depth + 1 entries: blocks 0..D-1 from the input side, then the head.
 */
export interface StepRecord {
  step: number;
  loss: number;
  /** Fraction correct on the training batch (classification); null for regression. */
  accuracy: number | null;
  gradNormTotal: number;
  /** The factor clipping applied to the gradient (1 when it did not clip). */
  clipScale: number;
  /** True when the loss or any gradient was NaN or ±Inf this step (the update was skipped). */
  nonFinite: boolean;
  /** Wall time per step, averaged over the steps of the submit that held this one. */
  stepMs: number;
  /** ‖∂L/∂W_l‖_F */
  gradNorm: number[];
  /** ‖∂L/∂z_l‖_F; for the head, ‖∂L/∂logits‖_F */
  deltaNorm: number[];
  /** ‖W_l‖_F */
  weightNorm: number[];
  /** ‖ΔW_l‖_F / ‖W_l‖_F for the update this step applies */
  updateRatio: number[];
  /** mean and standard deviation of h_l (of the logits for the head) */
  actMean: number[];
  actStd: number[];
  /** fraction of u_l entries where φ'(u) < 0.1·max φ' (sigmoid, tanh, gelu; 0 otherwise) */
  saturated: number[];
  /** fraction of units whose φ'(u) = 0 for every sample of the batch (relu family; 0 otherwise) */
  dead: number[];
  /**
   * GPU time of this step by phase, in ms, from timestamp queries (null when the adapter has none).
   * An addition to DESIGN.md's fields: where a step's time goes, beside its gradients.
   */
  phaseMs?: PhaseTimes | null;
  /**
   * Recurrent nets only: ‖∂L/∂h_t‖_F over the batch for every recurrent layer k and time step t (t = 0 is the
   * first input), DESIGN.md's vanishing-through-time signal; 0 at steps truncated BPTT does not reach.
   */
  timeDeltaNorm?: number[][];
  /**
   * Residual nets only, one entry per residual block y = skip(x) + α·F(x) in forward order (the config line's
   * `residualBlocks` names them): ‖S‖_F, the part of ∂L/∂x that arrives through the skip, and ‖B‖_F, the part
   * through the branch F (∂L/∂x = S + B). An addition to DESIGN.md's fields.
   */
  residualSkipNorm?: number[];
  residualBranchNorm?: number[];
  /** Runs that clip only (train.clip.mode norm or value): τ as this step applied it (it can change mid-run). */
  clipMax?: number;
  /**
   * Runs that clip only: ‖∂L/∂W_l‖_F after clipping, the gradient the update applied (norm: ‖∂L/∂W_l‖ times the
   * clip scale; value: ‖clamp(∂L/∂W_l, −τ, τ)‖, measured on the GPU), and the whole gradient's norm after it.
   */
  clippedGradNorm?: number[];
  clippedGradNormTotal?: number;
  /**
   * GPU time of each row's kernels, forward and backward, in ms (per-layer arrays), on the sampled logged steps that
   * run each row in a compute pass between timestamps (adapters with timestamp queries only). A row's time runs from
   * the start of its first pass to the start of the next row's: its norm, activation and skip add are in it.
   */
  layerMs?: { forward: number[]; backward: number[] };
}

export interface PhaseTimes {
  /** gather + every block's forward matmul, norm and activation */
  forward: number;
  loss: number;
  /** every gradient: head, blocks, norms, biases, α */
  backward: number;
  /** per-tensor gradient norms, global norm and clip scale */
  norms: number;
  /** the logged step's extra work: ‖W‖, ‖∂L/∂z‖, activation statistics, ‖ΔW‖ */
  statistics: number;
  optimizer: number;
}

/** The part of a step that produced the first NaN or infinity (src/stats/divergence.ts). */
export type DivergencePhase = 'weights' | 'forward' | 'loss' | 'backward' | 'update';

/** Where a run first went non-finite: the step, the phase, and the layer where it broke. */
export interface Divergence {
  /** The first non-finite step (it may precede the record that showed it, when log.every > 1). */
  step: number;
  /** Index into the per-layer arrays (depth = the head), or null when no per-layer statistic says. */
  layer: number | null;
  /** An addition to DESIGN's summary: forward overflow and backward explosion call for different fixes. */
  phase?: DivergencePhase;
  what: string;
}

/** What the diagnosis can find; `forward-overflow` is the forward pass leaving f32's range before any update. */
export const DIAGNOSIS_KINDS = ['forward-overflow', 'vanishing', 'vanishing-in-time', 'exploding', 'saturation', 'dead-units', 'stalled', 'healthy'] as const;
export type DiagnosisKind = (typeof DIAGNOSIS_KINDS)[number];

export interface Diagnosis {
  kind: DiagnosisKind;
  /** One sentence a student can read: what the records show. */
  finding: string;
  /** What to try next, in words. */
  fix: string;
  /** The same fix as RunConfig edits (`--set` paths), so a UI or CLI can apply it. */
  patch: Record<string, string | number>;
  /** Layers (indices into the per-layer arrays) the finding is about. */
  layers: number[];
}

/** The last JSONL line of a run. */
export interface RunSummary {
  steps: number;
  /** True when SIGINT or SIGTERM ended the run before train.steps (written only then). */
  interrupted?: boolean;
  finalLoss: number | null;
  finalAccuracy: number | null;
  testLoss: number | null;
  testAccuracy: number | null;
  /**
   * Loss and accuracy on (up to) the first 1,024 training samples at the end of the run, by the test set's evaluation
   * (eval mode, no augmentation): an addition to DESIGN.md's summary, what a trainability phase diagram plots. Null
   * when the run diverged (its weights are not numbers; the plot hatches it) and accuracy null for regression.
   */
  trainLoss?: number | null;
  trainAccuracy?: number | null;
  diverged: Divergence | null;
  diagnosis: Diagnosis[];
  stepsPerSecond: number;
}
