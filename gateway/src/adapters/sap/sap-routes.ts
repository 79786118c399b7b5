/**
 * SAP adapter route: `POST /sap/idocs` takes IDoc-XML (DESADV, WMMBXY, MBGMCR,
 * ORDERS05), maps it with the configured code mappings, checks posted units
 * against the products on the ledger, and books the resulting transactions in
 * document order. Mapping is all-or-nothing: one unmapped code rejects the
 * document before anything reaches the ledger. Booking is resumable: each
 * transaction's event id comes from the IDoc and item, so a resend skips what
 * committed (see docs/adapters.md).
 */
import type { RouteFactory } from '../../gateway';
import { invalidInput, type FieldError } from '../../../../lib/platform/src';
import type { RouteSpec } from '../../http/route-spec';
import type { LedgerClient } from '../../../../lib/fabric/src';
import { ServiceError } from '../../../../lib/platform/src';
import { runDocument, type DocumentCommand } from '../document/document-runner';
import { DEFAULT_LIMITS, limitDocument, type DocumentLimits } from '../document/limits';
import { idocToCommands } from './idoc';
import type { SapMappings, UnitCheck } from './mappings';
import { latestRecord } from '../../ledger-record';
import { POLICY } from '../../../../lib/domain/src';

/** Posted units that differ from the product's unit on the ledger are a 422 naming the unit field. */
async function checkUnits(ledger: LedgerClient, checks: UnitCheck[]): Promise<void> {
  const units = new Map<string, string | undefined>();
  const errors: FieldError[] = [];
  for (const c of checks) {
    if (!units.has(c.gtin)) {
      units.set(c.gtin, (await latestRecord<{ unit?: string }>(ledger, `product~${c.gtin}`))?.value.unit);
    }
    const unit = units.get(c.gtin);
    if (unit && unit !== c.unit)
      errors.push({ field: c.field, message: `is ${c.unit}, but product ${c.gtin} is counted in ${unit} and the unit mappings hold no conversion` });
  }
  if (errors.length) throw invalidInput(errors, 422, 'UNIT_MISMATCH');
}

/**
 * A reversal of a goods receipt or issue writes the shipment's custody keys, so
 * both parties must endorse it: the shipment is the one the reversed item moved
 * stock through (read from its ledger record). A reversed item not on the ledger
 * is left to the contract, which names it.
 */
async function reversalEndorsements(ledger: LedgerClient, commands: DocumentCommand[]): Promise<void> {
  for (const c of commands) {
    if (c.cmd.fn !== 'ReverseMovement' || c.cmd.endorsement) continue;
    const target = String(c.cmd.body.targetEventId);
    try {
      const out = JSON.parse((await ledger.evaluate({ contract: 'traceability', fn: 'GetEvent', args: [target] })).toString('utf8')) as {
        event?: { epcisEvents?: Array<{ 'ct:ledger'?: { stock?: Array<{ shipmentId?: string }> } }> };
      };
      const shipmentId = out.event?.epcisEvents?.flatMap((e) => e['ct:ledger']?.stock ?? []).find((l) => l.shipmentId)?.shipmentId;
      if (shipmentId) c.cmd.endorsement = { kind: 'shipment', shipmentId };
    } catch (err) {
      if (!(err instanceof ServiceError && err.code === 'NOT_FOUND')) throw err;
    }
  }
}

export function sapRoutes(opts: { mappings: SapMappings | (() => SapMappings); limits?: Partial<DocumentLimits> }): RouteFactory {
  const mappings = typeof opts.mappings === 'function' ? opts.mappings : () => opts.mappings as SapMappings;
  return ({ executor, ledger, limiter }) => {
    const routes: RouteSpec[] = [
      {
        method: 'post',
        path: '/sap/idocs',
        operationId: 'sapIdoc',
        summary: 'SAP IDoc-XML: DESADV (DELVRY05/07), WMMBXY and MBGMCR goods movements, ORDERS05',
        tag: 'sap',
        roles: POLICY['sap.idoc'],
        bodyType: 'xml',
        success: {
          status: 201,
          description: 'Each resulting ledger transaction with the IDoc items it books: committed now, committed before, failed or not attempted',
        },
        action: {
          kind: 'custom',
          handle: async (ctx) => {
            const mapped = idocToCommands(ctx.body as string, mappings());
            limitDocument(mapped.commands, { ...opts.limits, limiter, clientId: ctx.principal!.clientId, what: 'IDoc document' });
            await checkUnits(ledger, mapped.unitChecks);
            await reversalEndorsements(ledger, mapped.commands);
            const lim = { ...DEFAULT_LIMITS, ...opts.limits };
            return runDocument({
              batch: { maxItems: lim.maxItemsPerTransaction, maxLines: lim.maxLinesPerTransaction },
              commands: mapped.commands,
              executor,
              ledger,
              principal: ctx.principal!,
              route: 'post /sap/idocs',
              log: ctx.log,
              requestId: ctx.requestId,
            });
          },
        },
      },
    ];
    return { routes };
  };
}
