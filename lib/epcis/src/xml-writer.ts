/**
 * The EPCIS 2.0 XML binding, write side: query results (JSON-LD events as the
 * query returns them) as an EPCIS 2.0 XML query document, CBV values as the
 * URNs the XML binding uses, extension fields under their declared prefixes.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { isObj, list, TYPED_LISTS, type Obj, type XNode } from './xml-nodes';

const URN: Record<string, string> = {
  bizStep: 'bizstep',
  disposition: 'disp',
  set: 'disp',
  unset: 'disp',
  reason: 'er',
  bizTransaction: 'btt',
  source: 'sdt',
  destination: 'sdt',
};

/** A bare CBV name as the URN the XML binding writes. */
function cbvUrn(field: string, v: unknown): unknown {
  return typeof v === 'string' && URN[field] && /^[a-z_]+$/.test(v) ? `urn:epcglobal:cbv:${URN[field]}:${v}` : v;
}

const num = (v: unknown) => (typeof v === 'number' ? String(v) : v);

function extensionXml(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(extensionXml);
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, c]) => [k, extensionXml(c)]));
  return num(v);
}

function eventXml(ev: Obj): XNode {
  const x: XNode = {};
  const put = (k: string, v: unknown) => {
    if (v !== undefined) x[k] = v;
  };
  put('eventTime', ev.eventTime);
  put('recordTime', ev.recordTime);
  put('eventTimeZoneOffset', ev.eventTimeZoneOffset);
  put('eventID', ev.eventID);
  if (ev.certificationInfo !== undefined) put('certificationInfo', list(ev.certificationInfo));
  if (isObj(ev.errorDeclaration)) {
    const e = ev.errorDeclaration;
    put('errorDeclaration', {
      declarationTime: e.declarationTime,
      ...(e.reason !== undefined ? { reason: cbvUrn('reason', e.reason) } : {}),
      ...(Array.isArray(e.correctiveEventIDs) ? { correctiveEventIDs: { correctiveEventID: e.correctiveEventIDs } } : {}),
    });
  }
  put('parentID', ev.parentID);
  for (const l of ['epcList', 'childEPCs', 'inputEPCList']) if (Array.isArray(ev[l])) put(l, { epc: ev[l] });
  for (const l of ['quantityList', 'childQuantityList', 'inputQuantityList'])
    if (Array.isArray(ev[l])) put(l, { quantityElement: (ev[l] as Obj[]).map((q) => ({ epcClass: q.epcClass, quantity: num(q.quantity), uom: q.uom })) });
  if (Array.isArray(ev.outputEPCList)) put('outputEPCList', { epc: ev.outputEPCList });
  if (Array.isArray(ev.outputQuantityList))
    put('outputQuantityList', {
      quantityElement: (ev.outputQuantityList as Obj[]).map((q) => ({ epcClass: q.epcClass, quantity: num(q.quantity), uom: q.uom })),
    });
  put('action', ev.action);
  put('transformationID', ev.transformationID);
  put('bizStep', cbvUrn('bizStep', ev.bizStep));
  put('disposition', cbvUrn('disposition', ev.disposition));
  if (isObj(ev.persistentDisposition)) {
    const p = ev.persistentDisposition;
    put('persistentDisposition', {
      ...(p.set ? { set: list(p.set).map((s) => cbvUrn('set', s)) } : {}),
      ...(p.unset ? { unset: list(p.unset).map((s) => cbvUrn('unset', s)) } : {}),
    });
  }
  for (const f of ['readPoint', 'bizLocation']) if (isObj(ev[f])) put(f, extensionXml(ev[f]));
  for (const [l, item] of Object.entries(TYPED_LISTS)) {
    if (!Array.isArray(ev[l])) continue;
    put(l, { [item]: (ev[l] as Obj[]).map((e) => ({ '#text': e[item], ...(e.type !== undefined ? { '@_type': cbvUrn(item, e.type) } : {}) })) });
  }
  if (Array.isArray(ev.sensorElementList)) {
    put('sensorElementList', {
      sensorElement: (ev.sensorElementList as Obj[]).map((se) => {
        const out: XNode = {};
        const attrs = (o: Obj) => Object.fromEntries(Object.entries(o).map(([k, v]) => [`@_${k}`, typeof v === 'object' ? JSON.stringify(v) : String(v)]));
        if (isObj(se.sensorMetadata)) out.sensorMetadata = attrs(se.sensorMetadata);
        if (Array.isArray(se.sensorReport)) out.sensorReport = (se.sensorReport as Obj[]).map(attrs);
        for (const [k, v] of Object.entries(se)) if (k !== 'sensorMetadata' && k !== 'sensorReport') out[k] = extensionXml(v);
        return out;
      }),
    });
  }
  if (isObj(ev.ilmd)) put('ilmd', extensionXml(ev.ilmd));
  for (const [k, v] of Object.entries(ev)) if (k.includes(':') && !(k in x)) x[k] = extensionXml(v);
  return x;
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true, processEntities: true });

/**
 * An EPCIS 2.0 XML query document holding `events` (JSON-LD events as the
 * query returns them); `namespaces` are the extension prefixes to declare.
 */
export function queryResultsXml(events: Obj[], opts: { queryName: string; creationDate: string; namespaces?: Record<string, string> }): string {
  const ns: XNode = {};
  for (const [p, iri] of Object.entries({ cbvmda: 'urn:epcglobal:cbv:mda', gs1: 'https://gs1.org/voc/', ...(opts.namespaces ?? {}) })) ns[`@_xmlns:${p}`] = iri;
  const byType = new Map<string, XNode[]>();
  // XML groups events by element name; document order is kept within each type.
  const ordered: XNode[] = events.map((e) => ({ [String(e.type)]: eventXml(e) }));
  for (const o of ordered) {
    const [t, x] = Object.entries(o)[0];
    byType.set(t, [...(byType.get(t) ?? []), x as XNode]);
  }
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    'epcisq:EPCISQueryDocument': {
      '@_xmlns:epcisq': 'urn:epcglobal:epcis-query:xsd:2',
      '@_xmlns:epcis': 'urn:epcglobal:epcis:xsd:2',
      ...ns,
      '@_schemaVersion': '2.0',
      '@_creationDate': opts.creationDate,
      EPCISBody: { 'epcisq:QueryResults': { queryName: opts.queryName, resultsBody: { EventList: Object.fromEntries(byType) } } },
    },
  };
  return builder.build(doc) as string;
}
