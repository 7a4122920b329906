import { ShaderError } from './errors.ts';
import { moduleKey, sourceLine, specKey, type BindingKind, type KernelSpec, type ShaderSource } from './kernel.ts';

const LAYOUT_TYPE: Record<BindingKind, GPUBufferBindingType> = {
  read: 'read-only-storage',
  rw: 'storage',
  uniform: 'uniform',
};

/** Format WGSL compile messages as `<file>:<line>:<col>: message` (files name themselves: `shaders/x.wgsl`, or a user's path). */
export function formatCompileMessages(shader: ShaderSource, messages: readonly GPUCompilationMessage[]): string {
  return messages
    .filter((m) => m.type === 'error')
    .map((m) => {
      const [file, line] = sourceLine(shader, m.lineNum);
      return `${file}:${line}:${m.linePos}: ${m.message}`;
    })
    .join('\n');
}

/** A module or pipeline, usable at once, and the check of it that WebGPU answers later. */
interface Checked<T> {
  readonly value: T;
  readonly check: Promise<void>;
}

/**
 * Compiles each shader module, bind group layout and pipeline once per device, memoised by a key
 * derived from the spec, so rebuilding a network costs nothing on the GPU side.
 *
 * Creation is synchronous and its validation answered later: `pipelineNow` hands the pipeline over at once and
 * keeps its check for `settled()`, which a build awaits at its end. Waiting for each answer in turn left a page's
 * main thread idle while the GPU process compiled one pipeline after another (12 pipelines: 2.5 s one at a time,
 * 1.0 s issued together, in headless Chromium on SwiftShader). `pipeline()` still waits, for callers that want the
 * ShaderError where they ask.
 */
export class PipelineCache {
  readonly created = { modules: 0, layouts: 0, pipelines: 0 };
  private readonly modules = new Map<string, Checked<GPUShaderModule>>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  private readonly pipelines = new Map<string, Checked<GPUComputePipeline>>();
  /** Checks of pipelines handed out by pipelineNow that no settled() has seen yet. */
  private pending: Promise<void>[] = [];

  constructor(readonly device: GPUDevice) {}

  /** The module compiled from `shader`, once its compile messages say it has no error. */
  async module(shader: ShaderSource): Promise<GPUShaderModule> {
    const m = this.moduleEntry(shader);
    await m.check;
    return m.value;
  }

  layout(spec: KernelSpec): GPUBindGroupLayout {
    const key = spec.bindings.map(([, kind]) => kind).join(',');
    let layout = this.layouts.get(key);
    if (!layout) {
      layout = this.device.createBindGroupLayout({
        label: key,
        entries: spec.bindings.map(([, kind], binding) => ({
          binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: LAYOUT_TYPE[kind] },
        })),
      });
      this.created.layouts++;
      this.layouts.set(key, layout);
    }
    return layout;
  }

  /** The pipeline for a spec, once it is known to be valid (a ShaderError names the file and line otherwise). */
  async pipeline(spec: KernelSpec): Promise<GPUComputePipeline> {
    const p = this.pipelineEntry(spec);
    await p.check;
    return p.value;
  }

  /** The pipeline for a spec, at once; whether it is valid, `settled()` says. */
  pipelineNow(spec: KernelSpec): GPUComputePipeline {
    const p = this.pipelineEntry(spec);
    this.pending.push(p.check);
    return p.value;
  }

  /** Every pipeline handed out by pipelineNow is valid, or the first ShaderError among them. */
  async settled(): Promise<void> {
    const checks = this.pending;
    this.pending = [];
    await Promise.all(checks);
  }

  private moduleEntry(shader: ShaderSource): Checked<GPUShaderModule> {
    const key = moduleKey(shader);
    let m = this.modules.get(key);
    if (!m) {
      this.device.pushErrorScope('validation');
      const module = this.device.createShaderModule({ label: shader.file, code: shader.code });
      const check = Promise.all([module.getCompilationInfo(), this.device.popErrorScope()]).then(([info, err]) => {
        const text = formatCompileMessages(shader, info.messages);
        if (text || err) throw new ShaderError(text || `${shader.file}: ${err?.message}`);
        this.created.modules++;
      });
      m = { value: module, check: quiet(check) };
      this.modules.set(key, m);
    }
    return m;
  }

  // Synchronous creation inside an error scope: createComputePipelineAsync aborts the process in
  // dawn.node on SwiftShader (webgpu 0.6.2), and the sync call costs the same on the first use.
  private pipelineEntry(spec: KernelSpec): Checked<GPUComputePipeline> {
    const key = specKey(spec);
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.moduleEntry(spec.shader);
      const layout = this.device.createPipelineLayout({ bindGroupLayouts: [this.layout(spec)] });
      this.device.pushErrorScope('validation');
      const pipeline = this.device.createComputePipeline({
        label: key,
        layout,
        compute: { module: module.value, entryPoint: spec.entry, constants: { ...spec.constants } },
      });
      const own = quiet(
        this.device.popErrorScope().then((err) => {
          if (err) throw new ShaderError(`${spec.shader.file} (${spec.entry}): ${err.message}`);
          this.created.pipelines++;
        }),
      );
      // A module's own error (with its file and line) comes first; the pipeline's says less.
      p = { value: pipeline, check: quiet(module.check.then(() => own)) };
      this.pipelines.set(key, p);
    }
    return p;
  }
}

/** The same promise, marked as handled: a check nobody has asked about yet must not be an unhandled rejection. */
function quiet(p: Promise<void>): Promise<void> {
  p.catch(() => {});
  return p;
}
