import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from '../../src/io/safetensors.ts';

/** A file from a header string (padded to 8 bytes like the format asks) and raw data bytes. */
function file(header: string, data: number[] = []): Uint8Array {
  const json = new TextEncoder().encode(header);
  const len = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + len + data.length).fill(0x20, 8, 8 + len);
  new DataView(out.buffer).setUint32(0, len, true);
  out.set(json, 8);
  out.set(data, 8 + len);
  return out;
}

function expectError(bytes: Uint8Array, message: RegExp): void {
  let error: unknown;
  try {
    decodeSafetensors(bytes, 'runs/a.safetensors');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SafetensorsError);
  const text = (error as Error).message;
  expect(text).toMatch(/^runs\/a\.safetensors: /);
  expect(text).not.toContain('\n');
  expect(text).toMatch(message);
}

describe('encodeSafetensors', () => {
  it('writes the exact byte layout PyTorch reads', () => {
    const bytes = encodeSafetensors(
      [
        { name: 'w', dtype: 'F32', shape: [2], data: new Float32Array([1, -2]) },
        { name: 'i', dtype: 'I32', shape: [], data: new Int32Array([-3]) },
      ],
      { format: 'pt' },
    );
    const header =
      '{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
      '"i":{"dtype":"I32","shape":[],"data_offsets":[8,12]}}' +
      '      '; // 138 bytes of JSON, padded with spaces to 144
    const expected = [
      ...[144, 0, 0, 0, 0, 0, 0, 0],
      ...new TextEncoder().encode(header),
      ...[0x00, 0x00, 0x80, 0x3f], // 1.0f
      ...[0x00, 0x00, 0x00, 0xc0], // -2.0f
      ...[0xfd, 0xff, 0xff, 0xff], // -3
    ];
    expect([...bytes]).toEqual(expected);
  });

  it('round-trips tensors, shapes and metadata, in the order written', () => {
    const w = new Float32Array([0.5, -1.25, 3e-8, 7, Infinity, NaN]);
    const y = new Int32Array([0, 2, 1]);
    const bytes = encodeSafetensors(
      [
        { name: 'blocks.0.weight', dtype: 'F32', shape: [2, 3], data: w },
        { name: '10', dtype: 'F32', shape: [0], data: new Float32Array(0) },
        { name: 'input.y', dtype: 'I32', shape: [3], data: y },
      ],
      { config: '{"seed":1}' },
    );
    expect((bytes.length - 8) % 8).toBe(4); // 8-aligned header, then 24 + 0 + 12 data bytes
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect([...tensors.keys()]).toEqual(['blocks.0.weight', '10', 'input.y']);
    expect(tensors.get('blocks.0.weight')).toEqual({ dtype: 'F32', shape: [2, 3], data: w });
    expect(tensors.get('input.y')).toEqual({ dtype: 'I32', shape: [3], data: y });
    expect(tensors.get('10')?.data.length).toBe(0);
    expect(metadata).toEqual({ config: '{"seed":1}' });
  });

  it('writes an empty metadata-free file and reads a view at an odd offset', () => {
    const bytes = encodeSafetensors([{ name: 'a', dtype: 'F32', shape: [1], data: new Float32Array([2]) }]);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const decoded = decodeSafetensors(shifted.subarray(1));
    expect(decoded.metadata).toEqual({});
    expect(decoded.tensors.get('a')?.data).toEqual(new Float32Array([2]));
  });

  it('refuses inputs that would write a broken file', () => {
    const f = new Float32Array(3);
    expect(() => encodeSafetensors([{ name: 'a', dtype: 'F32', shape: [2], data: f }])).toThrow(/shape \[2\] \(2 elements\) but 3 values/);
    expect(() => encodeSafetensors([{ name: 'a', dtype: 'I32', shape: [3], data: f }])).toThrow(/I32 but its data is a Float32Array/);
    expect(() => encodeSafetensors([{ name: 'a', dtype: 'F32', shape: [-1, -3], data: f }])).toThrow(/dimensions must be non-negative integers/);
    expect(() =>
      encodeSafetensors([
        { name: 'a', dtype: 'F32', shape: [3], data: f },
        { name: 'a', dtype: 'F32', shape: [3], data: f },
      ]),
    ).toThrow(SafetensorsError);
  });
});

describe('decodeSafetensors converts what PyTorch saves', () => {
  it('reads F64 and I64 as F32 and I32', () => {
    const f64 = new Uint8Array(new Float64Array([0.1, -3]).buffer);
    const i64 = new Uint8Array(new BigInt64Array([5n, -7n]).buffer);
    const bytes = file(
      '{"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"l":{"dtype":"I64","shape":[2],"data_offsets":[16,32]}}',
      [...f64, ...i64],
    );
    const { tensors } = decodeSafetensors(bytes);
    expect(tensors.get('d')).toEqual({ dtype: 'F32', shape: [2], data: new Float32Array([0.1, -3]) });
    expect(tensors.get('l')).toEqual({ dtype: 'I32', shape: [2], data: new Int32Array([5, -7]) });
  });

  it('reads F16 and BF16', () => {
    // F16: 1.0 = 0x3c00, -2.5 = 0xc100, 2^-24 = 0x0001; BF16: 1.0 = 0x3f80, -0.5 = 0xbf00.
    const bytes = file(
      '{"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[6,10]}}',
      [0x00, 0x3c, 0x00, 0xc1, 0x01, 0x00, 0x80, 0x3f, 0x00, 0xbf],
    );
    const { tensors } = decodeSafetensors(bytes);
    expect(tensors.get('h')?.data).toEqual(new Float32Array([1, -2.5, 2 ** -24]));
    expect(tensors.get('b')?.data).toEqual(new Float32Array([1, -0.5]));
  });

  it('refuses an I64 value that does not fit I32', () => {
    const bytes = file('{"l":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}', [...new Uint8Array(new BigInt64Array([2n ** 40n]).buffer)]);
    expectError(bytes, /holds 1099511627776, which does not fit the I32/);
  });
});

describe('decodeSafetensors says what is wrong', () => {
  const four = [0, 0, 128, 63];
  it('with a file that is too short', () => expectError(new Uint8Array(5), /5 bytes, shorter than the 8-byte header length/));
  it('with a header length past the end', () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setUint32(0, 9, true);
    expectError(bytes, /header length 9 runs past the end of the file \(16 bytes\)/);
  });
  it('with a header that is not JSON', () => expectError(file('{"a": '), /header is not UTF-8 JSON/));
  it('with a header that is not an object', () => expectError(file('[1, 2]'), /header is not a JSON object/));
  it('with a tensor entry missing fields', () => {
    expectError(file('{"a":{"shape":[1],"data_offsets":[0,4]}}', four), /tensor "a" has no dtype/);
    expectError(file('{"a":{"dtype":"F32","data_offsets":[0,4]}}', four), /tensor "a" has no shape/);
    expectError(file('{"a":{"dtype":"F32","shape":[1]}}', four), /tensor "a" has no data_offsets/);
    expectError(file('{"a":[1]}', four), /tensor "a" must be an object/);
  });
  it('with an unsupported dtype, naming the ones it reads', () => {
    expectError(file('{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}', four), /dtype U8; the dtypes read are F32, F64, F16, BF16, I32, I64/);
  });
  it('with a shape that does not match the byte range', () => {
    expectError(file('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', four), /shape \[2\] × 4 bytes = 8 bytes but data_offsets span 4/);
  });
  it('with offsets out of range', () => {
    expectError(file('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', four), /data_offsets \[0, 8\] outside the 4 data bytes/);
    expectError(file('{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}', four), /data_offsets \[4, 0\]/);
  });
  it('with overlapping tensors', () => {
    const header = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    expectError(file(header, [...four, ...four]), /tensors "a" and "b" overlap/);
  });
  it('with metadata that is not strings', () => {
    expectError(file('{"__metadata__":{"steps":3}}'), /__metadata__ value "steps" must be a string/);
  });
});
