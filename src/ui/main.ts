// Placeholder page: shows the adapter and runs one matmul against the float64 reference.
import { browserDevice } from '../gpu/browser-gpu.ts';
import { KernelContext } from '../gpu/context.ts';
import { encodeDispatches } from '../gpu/kernel.ts';
import { Rng } from '../gpu/prng.ts';
import { readF32, upload, zeros } from '../gpu/transfer.ts';
import { matmul } from '../kernels/matmul.ts';
import { matmul as refMatmul } from '../reference/matmul.ts';

const out = document.querySelector<HTMLPreElement>('#out')!;

async function main(): Promise<void> {
  const gpu = await browserDevice();
  const ctx = new KernelContext(gpu);
  const [M, N, K] = [128, 130, 257];
  const rng = new Rng(1);
  const a = rng.fill(new Float32Array(M * K), () => rng.normal()) as Float32Array;
  const b = rng.fill(new Float32Array(K * N), () => rng.normal()) as Float32Array;
  const c = zeros(ctx, M * N);
  const d = await matmul(ctx, { M, N, K }, { kind: 'plain' }, { a: upload(ctx, a), b: upload(ctx, b), c });
  const t0 = performance.now();
  const enc = gpu.device.createCommandEncoder();
  const pass = enc.beginComputePass();
  encodeDispatches(pass, [d]);
  pass.end();
  gpu.device.queue.submit([enc.finish()]);
  const got = await readF32(ctx, c, M * N);
  const ms = performance.now() - t0;
  const want = refMatmul(a, b, M, N, K);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  const rel = err / scale;
  const { vendor, architecture, description } = gpu.adapter;
  out.innerHTML =
    `adapter  ${vendor} ${architecture} ${description}\n` +
    `matmul   ${M}×${K} · ${K}×${N} in ${ms.toFixed(1)} ms (first run, includes readback)\n` +
    `check    max|err|/max|ref| = ${rel.toExponential(2)} <span class="${rel <= 1e-4 ? 'ok">ok' : 'bad">WRONG'}</span>`;
  out.dataset.status = rel <= 1e-4 ? 'ok' : 'error';
}

main().catch((e: unknown) => {
  out.textContent = e instanceof Error ? e.message : String(e);
  out.dataset.status = 'error';
});
