/**
 * Numeric CSV: comma-separated columns, an optional header row, the last column the label. Labels that
 * are all whole numbers ≥ 0 make a classification set (classes = largest + 1); anything else a
 * regression with one output. Every problem is a ConfigError on data.path naming the line and column.
 */
import { ConfigError } from '../../model/config-error.ts';
import { parseDecimal } from '../../model/decimal.ts';
import type { Samples } from './types.ts';

/** Beyond this a label column is far more likely a measurement than a class id. */
export const MAX_CSV_CLASSES = 4096;

function csvError(source: string, allowed: string, detail: string): ConfigError {
  return new ConfigError('data.path', source, allowed, `data.path: ${JSON.stringify(source)} ${detail}`);
}

function parseCell(cell: string): number | undefined {
  const text = cell.trim();
  return parseDecimal(text);
}

interface Row {
  line: number;
  cells: string[];
}

function readRows(text: string, source: string): Row[] {
  const rows: Row[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    if (raw.trim() !== '') rows.push({ line: i + 1, cells: raw.split(',') });
  });
  if (rows.length === 0) throw csvError(source, 'a CSV file with data rows', 'is empty: it needs numeric rows, the last column the label');
  return rows;
}

function checkShape(rows: Row[], source: string): number {
  const columns = rows[0]!.cells.length;
  if (columns < 2) {
    throw csvError(source, 'at least 2 columns', `has ${columns} column on line ${rows[0]!.line}: it needs at least 2 (features, then the label)`);
  }
  for (const row of rows) {
    if (row.cells.length !== columns) {
      throw csvError(source, `${columns} columns on every row`, `line ${row.line} has ${row.cells.length} columns where line ${rows[0]!.line} has ${columns}`);
    }
  }
  return columns;
}

function parseNumbers(rows: Row[], columns: number, source: string): Float64Array {
  const values = new Float64Array(rows.length * columns);
  rows.forEach((row, r) => {
    row.cells.forEach((cell, c) => {
      const value = parseCell(cell);
      if (value === undefined) {
        throw csvError(source, 'numeric cells', `line ${row.line}, column ${c + 1} is not a number (got ${JSON.stringify(cell.trim())})`);
      }
      values[r * columns + c] = value;
    });
  });
  return values;
}

function toSamples(values: Float64Array, n: number, columns: number, source: string): Samples {
  const inputDim = columns - 1;
  const x = new Float32Array(n * inputDim);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < inputDim; j++) x[i * inputDim + j] = values[i * columns + j]!;
    labels[i] = values[i * columns + inputDim]!;
  }
  const isClassIds = labels.every((v) => Number.isInteger(v) && v >= 0);
  if (!isClassIds) return { task: 'regression', inputDim, outputDim: 1, x, y: Float32Array.from(labels), n };
  const classes = labels.reduce((a, b) => Math.max(a, b), 0) + 1;
  if (classes > MAX_CSV_CLASSES) {
    throw csvError(source, `class ids below ${MAX_CSV_CLASSES}`, `has class id ${classes - 1} in its label column; at most ${MAX_CSV_CLASSES} classes are supported`);
  }
  return { task: 'classification', inputDim, outputDim: classes, x, y: Uint32Array.from(labels), n };
}

/** Parses the file's text; `source` (the file's name) appears in every error. */
export function parseCsv(text: string, source: string): Samples {
  let rows = readRows(text, source);
  const columns = checkShape(rows, source);
  // A first row with any non-numeric cell is a header.
  if (rows[0]!.cells.some((cell) => parseCell(cell) === undefined)) rows = rows.slice(1);
  if (rows.length === 0) throw csvError(source, 'a CSV file with data rows', 'has a header but no data rows');
  return toSamples(parseNumbers(rows, columns, source), rows.length, columns, source);
}
