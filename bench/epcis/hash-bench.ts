/**
 * Benchmark: CBV 2.0 event hash IDs per second over GS1's example events and
 * the reference generator's test events (pre-hash string + SHA-256), printed
 * as µs per event, against JSON.stringify of the same events as a baseline.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/epcis/hash-bench.js [--rounds 200] [--json FILE]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { eventHashId } from '../../lib/epcis/src';
import { writeFigures } from '../summary';

const arg = (name: string, d: number) => Number(process.argv[process.argv.indexOf(`--${name}`) + 1] || d) || d;

function fixtures(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return path.join(dir, 'test', 'fixtures', 'gs1');
}

function events(): Array<{ ev: Record<string, unknown>; ctx: unknown }> {
  const out: Array<{ ev: Record<string, unknown>; ctx: unknown }> = [];
  const walk = (d: string) => {
    for (const f of fs.readdirSync(d)) {
      const p = path.join(d, f);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.jsonld')) {
        const doc = JSON.parse(fs.readFileSync(p, 'utf8'));
        const list = doc.epcisBody?.eventList ?? doc.epcisBody?.queryResults?.resultsBody?.eventList ?? [];
        for (const ev of list) out.push({ ev, ctx: doc['@context'] });
      }
    }
  };
  walk(fixtures());
  return out;
}

function main() {
  const rounds = arg('rounds', 200);
  const evs = events();
  for (let i = 0; i < 20; i++) for (const e of evs) eventHashId(e.ev, e.ctx);
  let t = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (const e of evs) eventHashId(e.ev, e.ctx);
  const hashNs = Number(process.hrtime.bigint() - t) / (rounds * evs.length);
  t = process.hrtime.bigint();
  let n = 0;
  for (let r = 0; r < rounds; r++) for (const e of evs) n += JSON.stringify(e.ev).length;
  const jsonNs = Number(process.hrtime.bigint() - t) / (rounds * evs.length);
  console.log(`events: ${evs.length} (GS1 examples and hash test vectors), rounds: ${rounds}`);
  console.log(`event hash ID: ${(hashNs / 1000).toFixed(1)} µs per event (${Math.round(1e9 / hashNs)} events/s)`);
  console.log(`JSON.stringify baseline: ${(jsonNs / 1000).toFixed(1)} µs per event; ratio ${(hashNs / jsonNs).toFixed(1)}x (${n > 0 ? 'ok' : ''})`);
  const json = process.argv.indexOf('--json');
  writeFigures(json > 0 ? process.argv[json + 1] : undefined, 'epcis-hash', [
    {
      name: 'epcis.hash.us',
      label: 'CBV 2.0 event hash ID per event',
      value: hashNs / 1000,
      unit: 'µs',
      baseline: { label: 'JSON.stringify of the event', value: jsonNs / 1000 },
    },
  ]);
}

main();
