/**
 * Which of a finding's candidate fixes to offer: the first that still changes something once the edits that
 * repeat the current setting are dropped, and, when the run's config is known, whose config would be valid.
 */
import type { ActivationName, ClipMode, InitScheme, NormName, ResidualName, RunConfig } from '../model/config.ts';
import { applyAssignments } from '../model/set-path.ts';

/** A fix in words and as `--set` edits. */
export interface Candidate {
  patch: Record<string, string | number>;
  fix: string;
}

/** What a run is set to now, as far as the fixes touch it. */
export interface CurrentSettings {
  activation: ActivationName;
  residual: ResidualName;
  norm: NormName;
  clipMode: ClipMode;
  lr: number;
  /** model.init.scheme, when known, so a suggestion never repeats it. */
  init?: InitScheme;
  gain?: number;
  /** The run's whole config, when known: a fix is offered only if the config it makes is valid. */
  config?: RunConfig;
}

/** The first candidate that changes something, stripped of edits that repeat the current setting; null if none does. */
export function firstFix(candidates: readonly Candidate[], now: CurrentSettings): Candidate | null {
  for (const c of candidates) {
    const patch = Object.fromEntries(Object.entries(c.patch).filter(([k, v]) => !alreadySet(k, v, now)));
    if (Object.keys(patch).length > 0 && applies(patch, now.config)) return { fix: c.fix, patch };
  }
  return null;
}

/** Whether a fix makes a valid config of the run's (a recurrent net has no batch norm to add, for one). */
function applies(patch: Record<string, string | number>, config: RunConfig | undefined): boolean {
  if (!config) return true;
  try {
    applyAssignments(config, Object.entries(patch).map(([k, v]) => `${k}=${v}`));
    return true;
  } catch {
    return false;
  }
}

/** A norm, a skip or clipping of any kind counts as already on; suggesting another kind is no fix. */
function alreadySet(key: string, value: string | number, opts: CurrentSettings): boolean {
  switch (key) {
    case 'model.norm':
      return opts.norm !== 'none';
    case 'model.residual':
      // Rezero over identity is a change (its branches start at zero); identity over rezero is not.
      return opts.residual === value || (value === 'identity' && opts.residual !== 'none');
    case 'model.init.gain':
      return opts.gain === value;
    case 'train.clip.mode':
      return opts.clipMode !== 'none';
    case 'model.init.scheme':
      return opts.init === value || opts.init === `${value}_uniform`;
    case 'model.activation':
      return opts.activation === value;
    case 'model.cell':
      return opts.config?.model.cell === value;
    case 'model.init.forgetBias':
      return opts.config?.model.init.forgetBias === value;
    default:
      return opts.lr === value;
  }
}

