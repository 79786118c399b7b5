/**
 * SAP adapter route: `POST /sap/idocs` takes IDoc-XML (DESADV, WMMBXY, MBGMCR,
 * ORDERS05), maps it with the configured code mappings, and submits the
 * resulting commands in document order. Mapping is all-or-nothing: one
 * unmapped code rejects the document before anything reaches the ledger.
 */
import type { RouteFactory } from '../../gateway';
import type { RouteSpec } from '../../http/route-spec';
import { idocToCommands } from './idoc';
import type { SapMappings } from './mappings';

export function sapRoutes(opts: { mappings: SapMappings }): RouteFactory {
  return ({ executor }) => {
    const routes: RouteSpec[] = [
      {
        method: 'post', path: '/sap/idocs', operationId: 'sapIdoc', summary: 'SAP IDoc-XML: DESADV (DELVRY05/07), WMMBXY and MBGMCR goods movements, ORDERS05', tag: 'sap',
        roles: ['sap', 'admin'], bodyType: 'xml', success: { status: 201, description: 'Each resulting ledger transaction, committed in order' },
        action: {
          kind: 'custom',
          handle: async (ctx) => {
            const commands = idocToCommands(ctx.body as string, opts.mappings);
            const results = [];
            for (const cmd of commands) {
              const out = await executor.execute({ cmd, principal: ctx.principal!, async: ctx.query.mode === 'async', route: 'post /sap/idocs', log: ctx.log, requestId: ctx.requestId });
              results.push({ fn: cmd.fn, status: out.status, outcome: out.body });
            }
            return { status: results.every((r) => r.status === 202) ? 202 : 201, body: { transactions: results } };
          },
        },
      },
    ];
    return { routes };
  };
}
