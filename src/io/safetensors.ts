/**
 * The safetensors file format (huggingface/safetensors): an 8-byte little-endian u64 header length N,
 * N bytes of UTF-8 JSON naming each tensor's dtype, shape and byte range, then the data. Files written
 * here load with `safetensors.torch.load_file`; files PyTorch wrote load here (F64, F16, BF16 and I64
 * are converted to F32 and I32, the two types the engine computes in).
 */

export type Dtype = 'F32' | 'I32';

/** A tensor to write. `data` must match `dtype` and hold the product of `shape` elements. */
export interface TensorInput {
  name: string;
  dtype: Dtype;
  shape: number[];
  data: Float32Array | Int32Array;
}

export type Tensor = { dtype: 'F32'; shape: number[]; data: Float32Array } | { dtype: 'I32'; shape: number[]; data: Int32Array };

export interface Safetensors {
  /** In data order (the order the tensors were written). */
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

/** Bytes per element of every dtype the decoder reads, and the engine dtype each becomes. */
const STORED: Record<string, { size: number; as: Dtype }> = {
  F32: { size: 4, as: 'F32' },
  F64: { size: 8, as: 'F32' },
  F16: { size: 2, as: 'F32' },
  BF16: { size: 2, as: 'F32' },
  I32: { size: 4, as: 'I32' },
  I64: { size: 8, as: 'I32' },
};

const ACCEPTED = Object.keys(STORED).join(', ');

/** Header and data both land on 8-byte boundaries so readers can map tensors in place. */
const ALIGN = 8;

export function encodeSafetensors(tensors: readonly TensorInput[], metadata?: Record<string, string>): Uint8Array {
  const entries: string[] = [];
  if (metadata !== undefined) entries.push(`"__metadata__":${JSON.stringify(metadata)}`);
  const names = new Set<string>();
  let offset = 0;
  for (const t of tensors) {
    checkInput(t, names);
    const end = offset + t.data.byteLength;
    entries.push(`${JSON.stringify(t.name)}:${JSON.stringify({ dtype: t.dtype, shape: t.shape, data_offsets: [offset, end] })}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  const headerLen = Math.ceil(json.length / ALIGN) * ALIGN;
  const out = new Uint8Array(8 + headerLen + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen); // the format pads the header with spaces
  let at = 8 + headerLen;
  for (const t of tensors) {
    out.set(littleEndianBytes(t.data), at);
    at += t.data.byteLength;
  }
  return out;
}

function checkInput(t: TensorInput, names: Set<string>): void {
  const where = `safetensors: tensor ${JSON.stringify(t.name)}`;
  if (t.name === '__metadata__' || names.has(t.name)) throw new SafetensorsError(`${where} is a reserved or repeated name`);
  names.add(t.name);
  const fits = t.dtype === 'F32' ? t.data instanceof Float32Array : t.data instanceof Int32Array;
  if (!fits) throw new SafetensorsError(`${where} is ${t.dtype} but its data is a ${t.data.constructor.name}`);
  if (!isIntArray(t.shape)) throw new SafetensorsError(`${where} has shape ${JSON.stringify(t.shape)}; dimensions must be non-negative integers`);
  const count = elementCount(t.shape);
  if (count !== t.data.length) {
    throw new SafetensorsError(`${where} has shape [${t.shape.join(', ')}] (${count} elements) but ${t.data.length} values`);
  }
}

/** WebGPU runs only on little-endian hosts, so the in-memory bytes are already the file's bytes. */
function littleEndianBytes(data: Float32Array | Int32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function decodeSafetensors(bytes: Uint8Array, source = 'file'): Safetensors {
  const fail = (what: string): never => {
    throw new SafetensorsError(`${source}: ${what}`);
  };
  if (bytes.length < 8) fail(`not a safetensors file: ${bytes.length} bytes, shorter than the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) fail(`safetensors header length ${n} runs past the end of the file (${bytes.length} bytes)`);
  const headerEnd = 8 + Number(n);
  const header = parseHeader(bytes.subarray(8, headerEnd), fail);
  const data = bytes.subarray(headerEnd);
  const metadata = readMetadata(header['__metadata__'], fail);
  const entries = Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, entry]) => readEntry(name, entry, data.length, fail))
    .sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkOverlap(entries, fail);
  const tensors = new Map<string, Tensor>();
  for (const e of entries) tensors.set(e.name, convert(e, data.subarray(e.begin, e.end), fail));
  return { tensors, metadata };
}

type Fail = (what: string) => never;

function parseHeader(raw: Uint8Array, fail: Fail): Record<string, unknown> {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch (e) {
    fail(`safetensors header is not UTF-8 JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isObject(header)) return fail('safetensors header is not a JSON object');
  return header;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readMetadata(raw: unknown, fail: Fail): Record<string, string> {
  if (raw === undefined) return {};
  if (!isObject(raw)) return fail('__metadata__ must be an object of strings');
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') fail(`__metadata__ value ${JSON.stringify(k)} must be a string (got ${JSON.stringify(v)})`);
  }
  return raw as Record<string, string>;
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

function readEntry(name: string, raw: unknown, dataLength: number, fail: Fail): Entry {
  const where = `tensor ${JSON.stringify(name)}`;
  if (!isObject(raw)) return fail(`${where} must be an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string') fail(`${where} has no dtype`);
  if (!isIntArray(shape)) fail(`${where} has no shape (a list of non-negative integers)`);
  if (!isIntArray(offsets) || offsets.length !== 2) fail(`${where} has no data_offsets ([begin, end] in bytes)`);
  const stored = STORED[dtype as string];
  if (stored === undefined) fail(`${where} has dtype ${String(dtype)}; the dtypes read are ${ACCEPTED}`);
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) {
    fail(`${where} has data_offsets [${begin}, ${end}] outside the ${dataLength} data bytes`);
  }
  const count = elementCount(shape as number[]);
  if (count * stored!.size !== end - begin) {
    fail(`${where} has shape [${(shape as number[]).join(', ')}] × ${stored!.size} bytes = ${count * stored!.size} bytes but data_offsets span ${end - begin}`);
  }
  return { name, dtype: dtype as string, shape: shape as number[], begin, end };
}

function isIntArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && (x as number) >= 0);
}

function checkOverlap(sorted: readonly Entry[], fail: Fail): void {
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.begin < prev.end) fail(`tensors ${JSON.stringify(prev.name)} and ${JSON.stringify(cur.name)} overlap in the data`);
  }
}

function convert(e: Entry, raw: Uint8Array, fail: Fail): Tensor {
  const bytes = raw.slice(); // an aligned copy the caller owns
  const buf = bytes.buffer;
  switch (e.dtype) {
    case 'F32':
      return { dtype: 'F32', shape: e.shape, data: new Float32Array(buf) };
    case 'F64':
      return { dtype: 'F32', shape: e.shape, data: Float32Array.from(new Float64Array(buf)) };
    case 'F16':
      return { dtype: 'F32', shape: e.shape, data: Float32Array.from(new Uint16Array(buf), halfToFloat) };
    case 'BF16':
      // bfloat16 is the top half of a float32.
      return { dtype: 'F32', shape: e.shape, data: new Float32Array(Uint32Array.from(new Uint16Array(buf), (h) => h << 16).buffer) };
    case 'I64':
      return { dtype: 'I32', shape: e.shape, data: Int32Array.from(new BigInt64Array(buf), (v) => toInt32(v, e.name, fail)) };
    default:
      return { dtype: 'I32', shape: e.shape, data: new Int32Array(buf) };
  }
}

function toInt32(v: bigint, name: string, fail: Fail): number {
  if (v < -2147483648n || v > 2147483647n) fail(`tensor ${JSON.stringify(name)} holds ${v}, which does not fit the I32 it is read as`);
  return Number(v);
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
