/**
 * XLSX for the FSMA 204 export, streamed with exceljs: sheet "FSMA 204
 * records" (frozen, auto-filtered header row, so it opens as a sortable
 * table; one row per event and lot) and sheet "Key" (the key to codes).
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { FSMA_COLUMNS, keyRows, type FsmaRow } from './fsma-columns';

/** Names of the two sheets. */
export const RECORDS_SHEET = 'FSMA 204 records';
export const KEY_SHEET = 'Key';

/** Spreadsheet column letters of a 1-based index (1 → A, 27 → AA). */
export function columnLetter(n: number): string {
  let s = '';
  for (let i = n; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + ((i - 1) % 26)) + s;
  return s;
}

/** Writes the workbook to `out` (which it ends); returns the row count. */
export async function writeXlsx(out: Writable, batches: AsyncIterable<FsmaRow[]>): Promise<number> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  wb.creator = 'coffee-trace indexer';
  wb.created = new Date();
  const ws = wb.addWorksheet(RECORDS_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = FSMA_COLUMNS.map((c) => ({ key: c.key, width: Math.min(Math.max(c.header.length + 2, 12), 48) }));
  ws.autoFilter = `A1:${columnLetter(FSMA_COLUMNS.length)}1`;
  ws.addRow(FSMA_COLUMNS.map((c) => c.header)).commit();
  let n = 0;
  for await (const rows of batches) {
    for (const r of rows) ws.addRow(FSMA_COLUMNS.map((c) => r[c.key])).commit();
    n += rows.length;
  }
  ws.commit();
  const key = wb.addWorksheet(KEY_SHEET);
  key.columns = [{ width: 26 }, { width: 56 }, { width: 110 }];
  key.addRow(['Section', 'Code or column', 'Meaning']).commit();
  for (const r of keyRows()) key.addRow(r).commit();
  key.commit();
  await wb.commit();
  return n;
}
