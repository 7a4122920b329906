/** python/gradscope_files.py, numpy only: safetensors read and written against a file laid out by hand. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { python, requireTorch } from './python.ts';

const dir = mkdtempSync(join(tmpdir(), 'gradscope-files-'));

describe('gradscope_files: safetensors with numpy only', () => {
  /** A file laid out by hand (not by either encoder), so reader and writer are checked against the format itself. */
  function handMade(tensors: [string, string, number[], ArrayBufferView][]): Uint8Array {
    let offset = 0;
    const header: Record<string, unknown> = { __metadata__: { note: 'by hand' } };
    for (const [name, dtype, shape, data] of tensors) {
      header[name] = { dtype, shape, data_offsets: [offset, offset + data.byteLength] };
      offset += data.byteLength;
    }
    const json = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + json.length + offset);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    let at = 8 + json.length;
    for (const [, , , data] of tensors) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
      at += data.byteLength;
    }
    return out;
  }

  it('reads F64, F16, BF16, I64, I16, I8, U8 and BOOL, and writes back what it read', async () => {
    await requireTorch();
    const path = join(dir, 'dtypes.safetensors');
    writeFileSync(path, handMade([
      ['f64', 'F64', [2], new Float64Array([1.5, -2.25])],
      ['f16', 'F16', [2], new Uint16Array([0x3c00, 0xc000])], // 1, -2
      ['bf16', 'BF16', [1, 2], new Uint16Array([0x3f80, 0xc020])], // 1, -2.5
      ['i64', 'I64', [2], new BigInt64Array([3n, -4n])],
      ['i16', 'I16', [1], new Int16Array([-300])],
      ['i8', 'I8', [2], new Int8Array([-1, 5])],
      ['u8', 'U8', [3], new Uint8Array([0, 7, 255])],
      ['bool', 'BOOL', [2], new Uint8Array([1, 0])],
    ]));
    const code = `import json, sys; from gradscope_files import read_safetensors, write_safetensors
t, m = read_safetensors(sys.argv[1]); write_safetensors(sys.argv[1] + ".back", t, m); b, n = read_safetensors(sys.argv[1] + ".back")
print(json.dumps([{k: [str(v.dtype), v.tolist()] for k, v in d.items()} for d in (t, b)] + [m, n]))`;
    const r = await python(['-c', code, path]);
    expect(r.code, r.stderr).toBe(0);
    const [read, back, meta, metaBack] = JSON.parse(r.stdout);
    const want = {
      f64: ['float64', [1.5, -2.25]], f16: ['float16', [1, -2]], bf16: ['float32', [[1, -2.5]]], i64: ['int64', [3, -4]],
      i16: ['int16', [-300]], i8: ['int8', [-1, 5]], u8: ['uint8', [0, 7, 255]], bool: ['bool', [true, false]],
    };
    expect(read).toEqual(want);
    expect(back).toEqual(want); // BF16 comes back as F32: numpy has no bfloat16
    expect(meta).toEqual({ note: 'by hand' });
    expect(metaBack).toEqual(meta);
  });
});
