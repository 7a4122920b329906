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

/**
 * Compiles each shader module, bind group layout and pipeline once per device, memoised by a key
 * derived from the spec, so rebuilding a network costs nothing on the GPU side.
 */
export class PipelineCache {
  readonly created = { modules: 0, layouts: 0, pipelines: 0 };
  private readonly modules = new Map<string, Promise<GPUShaderModule>>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();

  constructor(readonly device: GPUDevice) {}

  module(shader: ShaderSource): Promise<GPUShaderModule> {
    const key = moduleKey(shader);
    let m = this.modules.get(key);
    if (!m) {
      m = this.compile(shader);
      this.modules.set(key, m);
    }
    return m;
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

  pipeline(spec: KernelSpec): Promise<GPUComputePipeline> {
    const key = specKey(spec);
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.createPipeline(spec, key);
      this.pipelines.set(key, p);
    }
    return p;
  }

  private async compile(shader: ShaderSource): Promise<GPUShaderModule> {
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ label: shader.file, code: shader.code });
    const [info, err] = await Promise.all([module.getCompilationInfo(), this.device.popErrorScope()]);
    const text = formatCompileMessages(shader, info.messages);
    if (text || err) throw new ShaderError(text || `${shader.file}: ${err?.message}`);
    this.created.modules++;
    return module;
  }

  // Synchronous creation inside an error scope: createComputePipelineAsync aborts the process in
  // dawn.node on SwiftShader (webgpu 0.6.2), and the sync call costs the same on the first use.
  private async createPipeline(spec: KernelSpec, key: string): Promise<GPUComputePipeline> {
    const module = await this.module(spec.shader);
    const layout = this.device.createPipelineLayout({ bindGroupLayouts: [this.layout(spec)] });
    this.device.pushErrorScope('validation');
    const pipeline = this.device.createComputePipeline({
      label: key,
      layout,
      compute: { module, entryPoint: spec.entry, constants: { ...spec.constants } },
    });
    const err = await this.device.popErrorScope();
    if (err) throw new ShaderError(`${spec.shader.file} (${spec.entry}): ${err.message}`);
    this.created.pipelines++;
    return pipeline;
  }
}
