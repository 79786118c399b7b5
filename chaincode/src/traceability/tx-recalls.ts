/**
 * Recalls, error declarations and attestations. Nothing is edited or deleted:
 * a recall marks lots recalled and lists where stock still is; an error
 * declaration points at corrective events; an attestation is a new record.
 */
import { assertNotAuditor, requireLocation, requireLot } from './access';
import type { EpcisEvent } from './epcis';
import { fail } from './errors';
import { lotQuantity } from './facts';
import { lotClassUri } from './gs1';
import type { Input } from './input';
import { OBJECT_TYPES, keyFromReadable, readableKey } from './keys';
import { descendants, lotPositions } from './lineage';
import type { HandlerResult } from './submit';
import { correctionKey, readEvent } from './submit';
import type { TxEnv } from './tx-env';
import { LOT_UNKNOWN } from './stock';
import type { LotRecord, LotRef } from './types';

export async function declareRecall(env: TxEnv, input: Input): Promise<HandlerResult> {
  assertNotAuditor(env, 'declare recalls');
  const recallId = input.id('recallId');
  const reason = input.str('reason', { max: 1024 });
  const includeDescendants = input.bool('includeDescendants', true);
  const key = env.ledger.key(OBJECT_TYPES.recall, [recallId]);
  if (await env.ledger.exists(key)) throw fail.duplicate(`recall ${recallId}`, 'recallId');

  const roots: LotRef[] = [];
  for (const l of input.list('lots', 1, 100)) {
    const ref = { gtin: l.gtin('gtin'), lotCode: l.lotCode('lotCode') };
    const lot = await requireLot(env, ref.gtin, ref.lotCode, l.at('lotCode'));
    if (lot.commissionedBy !== env.mspId && !(await holdsOrHeld(env, ref))) {
      throw fail.forbidden(`${env.mspId} neither made nor held lot ${ref.gtin}/${ref.lotCode}`, l.at('lotCode'));
    }
    roots.push(ref);
  }
  const scope: LotRef[] = [];
  const seen = new Set<string>();
  const add = (r: LotRef) => {
    const id = `${r.gtin}/${r.lotCode}`;
    if (!seen.has(id)) {
      seen.add(id);
      scope.push(r);
    }
  };
  for (const r of roots) {
    add(r);
    if (includeDescendants) for (const d of await descendants(env.ledger, r)) add(d);
  }

  const affected = [];
  const byLocation = new Map<string, { gtin: string; lotCode: string; units: bigint }[]>();
  for (const ref of scope) {
    const lotKey = env.ledger.key(OBJECT_TYPES.lot, [ref.gtin, ref.lotCode]);
    const lot = (await env.ledger.get<LotRecord>(lotKey))!;
    await env.ledger.put(lotKey, { ...lot, status: 'recalled', recallIds: [...lot.recallIds, recallId] });
    const positions = await lotPositions(env.ledger, ref);
    affected.push({ ...ref, positions });
    for (const p of positions) {
      const list = byLocation.get(p.gln) ?? [];
      list.push({ ...ref, units: BigInt(p.baseUnits) });
      byLocation.set(p.gln, list);
    }
  }
  // Units a store took back without knowing their lot may be of a recalled lot: listed for the stores to check.
  const unresolved = [];
  for (const gtin of [...new Set(scope.map((r) => r.gtin))]) {
    const positions = await lotPositions(env.ledger, { gtin, lotCode: LOT_UNKNOWN });
    if (positions.length) unresolved.push({ gtin, lotCode: LOT_UNKNOWN, positions });
  }
  const recall = {
    docType: 'recall',
    recallId,
    reason,
    declaredBy: env.mspId,
    declaredAt: env.time,
    declaredTxId: env.txId,
    includeDescendants,
    lots: roots,
    affected,
    ...(unresolved.length ? { unresolved } : {}),
  };
  await env.ledger.put(key, recall);
  const detail = { reason, recallId };
  env.record({
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'holding',
    disposition: 'recalled',
    quantityList: scope.map((r) => ({ epcClass: lotClassUri(r.gtin, r.lotCode) })),
    keys: [readableKey(key), ...scope.map((r) => readableKey(env.ledger.key(OBJECT_TYPES.lot, [r.gtin, r.lotCode])))],
    detail,
  });
  for (const gln of [...byLocation.keys()].sort()) {
    const loc = await requireLocation(env, gln, 'lots');
    const quantityList = [];
    for (const p of byLocation.get(gln)!) quantityList.push(await lotQuantity(env, p.gtin, p.lotCode, p.units));
    env.record({ type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'holding', disposition: 'recalled', quantityList, location: loc.sgln, detail });
  }
  return { recall };
}

async function holdsOrHeld(env: TxEnv, ref: LotRef): Promise<boolean> {
  for (const row of await env.ledger.list(OBJECT_TYPES.lotLocation, [ref.gtin, ref.lotCode])) {
    const gln = row.key.slice(1, -1).split('\u0000')[3];
    const loc = await requireLocation(env, gln, 'lots');
    if (loc.ownerMsp === env.mspId) return true;
  }
  return false;
}

export const ERROR_REASONS = ['did_not_occur', 'incorrect_data'] as const;

export async function declareError(env: TxEnv, input: Input): Promise<HandlerResult> {
  const targetEventId = input.id('targetEventId');
  const reason = input.oneOf('reason', ERROR_REASONS);
  // Event ids are scoped per organisation: the caller names its own events only.
  const target = await readEvent(env.ledger, env.mspId, targetEventId);
  if (!target) throw fail.notFound(`event ${targetEventId}`, 'targetEventId');
  if (target.mspId !== env.mspId) throw fail.forbidden(`event ${targetEventId} was recorded by ${target.mspId}`, 'targetEventId');
  const correctiveEventIds = input.strList('correctiveEventIds', 0, 100);
  const correctiveEventIDs: string[] = [];
  for (const [i, id] of correctiveEventIds.entries()) {
    const rec = await readEvent(env.ledger, env.mspId, id);
    if (!rec) throw fail.notFound(`event ${id}`, `correctiveEventIds[${i}]`);
    if (id === targetEventId) throw fail.invalid(`correctiveEventIds[${i}]`, 'must differ from targetEventId');
    rec.epcisEvents.forEach((e) => correctiveEventIDs.push(e.eventID));
  }
  const key = correctionKey(env.ledger, env.mspId, targetEventId);
  const legacy = await env.ledger.get<{ declaredBy?: string }>(env.ledger.key(OBJECT_TYPES.correction, [targetEventId]));
  if ((await env.ledger.exists(key)) || legacy?.declaredBy === env.mspId) throw fail.duplicate(`error declaration for event ${targetEventId}`, 'targetEventId');
  const declaration = {
    docType: 'correction',
    targetEventId,
    reason,
    correctiveEventIds,
    declaredBy: env.mspId,
    declaredAt: env.time,
    declaredTxId: env.txId,
    declarationEventId: env.eventId,
  };
  await env.ledger.put(key, declaration);
  // EPCIS: the declaration repeats the erroneous event (same eventID) with errorDeclaration added.
  for (const original of target.epcisEvents) {
    const { ['ct:ledger']: _old, ...rest } = original;
    const copy: EpcisEvent = {
      ...rest,
      type: original.type,
      eventID: original.eventID,
      errorDeclaration: { correctiveEventIDs, declarationTime: env.time, reason },
      'ct:ledger': {
        declares: original.eventID,
        eventId: env.eventId,
        function: env.fn,
        keys: [readableKey(key)],
        mspId: env.mspId,
        stock: [],
        txId: env.txId,
        actor: env.actor,
      },
    };
    env.recordCopy(copy);
  }
  return { declaration };
}

export async function recordAttestation(env: TxEnv, input: Input): Promise<HandlerResult> {
  const attestationId = input.id('attestationId');
  const subjectKey = input.str('subjectKey', { max: 512 });
  const parsed = keyFromReadable(subjectKey);
  if (!parsed || !['lot', 'shipment', 'location', 'event', 'recall', 'sales', 'po'].includes(parsed.objectType)) {
    throw fail.invalid('subjectKey', 'must be a readable key such as lot~<gtin>~<lotCode> or shipment~<id>');
  }
  const subject = env.ledger.key(parsed.objectType, parsed.attributes);
  if (!(await env.ledger.exists(subject))) throw fail.notFound(`subject ${subjectKey}`, 'subjectKey');
  const key = env.ledger.key(OBJECT_TYPES.attestation, [attestationId]);
  if (await env.ledger.exists(key)) throw fail.duplicate(`attestation ${attestationId}`, 'attestationId');
  const attestation = {
    docType: 'attestation',
    attestationId,
    subjectKey: readableKey(subject),
    result: input.oneOf('result', ['pass', 'fail', 'observation'] as const),
    statement: input.str('statement', { max: 4096 }),
    evidenceHash: input.optStr('evidenceHash', { pattern: /^(0x)?[0-9a-fA-F]{64}$/, hint: 'must be a 32-byte hex hash' }),
    attestedBy: env.mspId,
    attestedAt: env.time,
    attestedTxId: env.txId,
  };
  await env.ledger.put(key, attestation);
  if (parsed.objectType === 'lot') {
    env.record({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'inspecting',
      quantityList: [{ epcClass: lotClassUri(parsed.attributes[0], parsed.attributes[1]) }],
      keys: [readableKey(key)],
      detail: { attestationId, result: attestation.result },
    });
  }
  return { attestation };
}
