/**
 * The adapters' code mappings (SAP plants, materials, partners, vendors,
 * units; POS stores and catalog ids), read from ADAPTER_MAPPINGS_FILE and
 * reloadable without a restart: on SIGHUP, or through
 * `POST /admin/mappings/reload`. A reload that cannot be read keeps the
 * mappings in force; every reload logs which codes were added, changed or
 * removed, per table.
 */
import * as fs from 'node:fs';
import type { Logger } from 'pino';
import type { RouteFactory } from '../gateway';
import { httpError } from '../../../lib/platform/src';
import type { SapMappings } from './sap/mappings';
import { POLICY } from '../../../lib/domain/src';

export interface AdapterMappings {
  sap: SapMappings;
  /** POS store id → GLN, catalog id → GTIN, store GLN → region (the roll-up's grouping). */
  pos: { stores: Record<string, string>; catalog: Record<string, string>; regions?: Record<string, string> };
}

export interface MappingChange {
  added: string[];
  changed: string[];
  removed: string[];
}

export interface MappingStore {
  current(): AdapterMappings;
  /** Re-reads the file; throws (keeping the current mappings) when it cannot be read. */
  reload(reason: string): Record<string, MappingChange>;
}

const EMPTY: AdapterMappings = { sap: { plants: {}, materials: {} }, pos: { stores: {}, catalog: {} } };

/** Reads a mappings file; a missing `file` means empty mappings (every code is then unmapped). */
export function readMappingsFile(file: string | undefined): AdapterMappings {
  if (!file) return EMPTY;
  try {
    const m = JSON.parse(fs.readFileSync(file, 'utf8'));
    return { sap: { ...EMPTY.sap, ...m.sap }, pos: { ...EMPTY.pos, ...m.pos } };
  } catch (err) {
    throw new Error(`ADAPTER_MAPPINGS_FILE ${file}: ${(err as Error).message}`);
  }
}

/** Per table (`sap.plants`, `pos.stores`, …), which codes differ between two mappings. */
export function diffMappings(before: AdapterMappings, after: AdapterMappings): Record<string, MappingChange> {
  const out: Record<string, MappingChange> = {};
  for (const side of ['sap', 'pos'] as const) {
    const a = before[side] as unknown as Record<string, unknown>;
    const b = after[side] as unknown as Record<string, unknown>;
    for (const table of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const x = (a[table] ?? {}) as Record<string, unknown>;
      const y = (b[table] ?? {}) as Record<string, unknown>;
      const change: MappingChange = { added: [], changed: [], removed: [] };
      for (const k of Object.keys(y))
        if (!(k in x)) change.added.push(k);
        else if (JSON.stringify(x[k]) !== JSON.stringify(y[k])) change.changed.push(k);
      for (const k of Object.keys(x)) if (!(k in y)) change.removed.push(k);
      if (change.added.length + change.changed.length + change.removed.length > 0) out[`${side}.${table}`] = change;
    }
  }
  return out;
}

export function createMappingStore(opts: { file?: string; logger: Logger }): MappingStore {
  let mappings = readMappingsFile(opts.file);
  return {
    current: () => mappings,
    reload(reason) {
      let next: AdapterMappings;
      try {
        next = readMappingsFile(opts.file);
      } catch (err) {
        opts.logger.error({ reason, err: (err as Error).message }, 'adapter mappings not reloaded; the previous ones stay in force');
        throw err;
      }
      const changes = diffMappings(mappings, next);
      mappings = next;
      opts.logger.info(
        { reason, file: opts.file, changes },
        Object.keys(changes).length ? 'adapter mappings reloaded with changes' : 'adapter mappings reloaded, unchanged',
      );
      return changes;
    },
  };
}

/** `POST /admin/mappings/reload` (role admin): reloads and answers what changed. */
export function mappingsAdminRoutes(store: MappingStore): RouteFactory {
  return () => ({
    routes: [
      {
        method: 'post',
        path: '/admin/mappings/reload',
        operationId: 'reloadMappings',
        summary: "Reload the adapters' code mappings from their file and report what changed",
        tag: 'admin',
        roles: POLICY['mappings.write'],
        success: { status: 200, description: 'The changes per mapping table' },
        action: {
          kind: 'custom',
          handle: async (ctx) => {
            try {
              return { status: 200, body: { changes: store.reload(`admin route (${ctx.principal?.sub ?? 'unknown'})`) } };
            } catch (err) {
              throw httpError(422, 'MAPPINGS_UNREADABLE', (err as Error).message, {
                errors: [{ field: 'ADAPTER_MAPPINGS_FILE', message: (err as Error).message }],
              });
            }
          },
        },
      },
    ],
  });
}
