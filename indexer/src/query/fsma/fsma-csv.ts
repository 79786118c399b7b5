/**
 * RFC 4180 CSV for the FSMA 204 export: CRLF line ends, a header row, a field
 * quoted (with doubled quotes) when it holds a comma, quote, CR or LF.
 */
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { FSMA_COLUMNS, keyRows, type FsmaRow } from './fsma-columns';

/** One CSV field. */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record with its CRLF. */
export function csvLine(values: Array<string | number>): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** The header record. */
export function csvHeader(): string {
  return csvLine(FSMA_COLUMNS.map((c) => c.header));
}

/** Records for a batch of rows, in column order. */
export function csvRows(rows: FsmaRow[]): string {
  let s = '';
  for (const r of rows) s += csvLine(FSMA_COLUMNS.map((c) => r[c.key]));
  return s;
}

/** The key to codes as CSV: section, code or column, meaning. */
export function csvKey(): string {
  return csvLine(['Section', 'Code or column', 'Meaning']) + keyRows().map(csvLine).join('');
}

/** Writes the header and every batch to `out`, waiting when it is full; returns the row count. */
export async function writeCsv(out: Writable, batches: AsyncIterable<FsmaRow[]>): Promise<number> {
  let n = 0;
  out.write(csvHeader());
  for await (const rows of batches) {
    n += rows.length;
    if (!out.write(csvRows(rows))) await once(out, 'drain');
  }
  return n;
}
