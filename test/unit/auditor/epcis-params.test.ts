import { expect } from 'chai';
import { classPattern, parseEventQuery, PER_PAGE_DEFAULT } from '../../../indexer/src/query/epcis/epcis-params';
import { eventPageStatement, likePrefix } from '../../../indexer/src/query/epcis/epcis-sql';
import { decodePageToken, encodePageToken } from '../../../indexer/src/query/epcis/page-token';

/** The field a parse error names. */
function fieldOf(q: Record<string, unknown>): unknown {
  try {
    parseEventQuery(q);
  } catch (err) {
    expect((err as { httpStatus: number }).httpStatus).to.equal(400);
    return (err as { details?: { field?: string } }).details?.field;
  }
  throw new Error('expected a 400');
}

describe('auditor: EPCIS query parameters', () => {
  it('parses every supported filter; lists are OR (comma or pipe), CBV URNs become short names', () => {
    const q = parseEventQuery({
      eventType: 'ObjectEvent,TransformationEvent',
      GE_eventTime: '2025-01-01T00:00:00Z',
      LT_eventTime: '2025-02-01T00:00:00+01:00',
      EQ_bizStep: 'urn:epcglobal:cbv:bizstep:shipping|receiving',
      EQ_disposition: 'https://ref.gs1.org/cbv/Disp-in_transit',
      EQ_bizLocation: 'urn:epc:id:sgln:7612345.00001.0',
      EQ_bizTransaction_po: 'urn:epcglobal:cbv:bt:7612345000019:PO-1',
      EQ_source_location: 'urn:epc:id:sgln:7612345.00001.0',
      perPage: '50',
    });
    expect(q.eventTypes).to.deep.equal(['ObjectEvent', 'TransformationEvent']);
    expect(q.ltEventTime?.toISOString()).to.equal('2025-01-31T23:00:00.000Z');
    expect(q.bizSteps).to.deep.equal(['shipping', 'receiving']);
    expect(q.dispositions).to.deep.equal(['in_transit']);
    expect(q.bizTransactions).to.deep.equal([{ type: 'po', values: ['urn:epcglobal:cbv:bt:7612345000019:PO-1'] }]);
    expect(q.sources[0].type).to.equal('location');
    expect(q.perPage).to.equal(50);
    expect(parseEventQuery({}).perPage).to.equal(PER_PAGE_DEFAULT);
  });

  it('converts LGTIN URNs and patterns to the stored Digital Link form', () => {
    // GTIN 07612345000121: indicator 0, company prefix 7612345, item reference 00012.
    expect(classPattern('MATCH_epcClass', 'urn:epc:class:lgtin:7612345.000012.LOT-1')).to.deep.equal({
      exact: 'https://id.gs1.org/01/07612345000121/10/LOT-1',
    });
    expect(classPattern('MATCH_epcClass', 'urn:epc:idpat:sgtin:7612345.000012.*')).to.deep.equal({
      exact: 'https://id.gs1.org/01/07612345000121',
      prefix: 'https://id.gs1.org/01/07612345000121/',
    });
    expect(classPattern('MATCH_epcClass', 'https://id.gs1.org/01/07612345000121/10/*')).to.deep.equal({ prefix: 'https://id.gs1.org/01/07612345000121/10/' });
    expect(classPattern('MATCH_epcClass', 'https://id.gs1.org/01/07612345000121/10/A%2FB')).to.deep.equal({
      exact: 'https://id.gs1.org/01/07612345000121/10/A%2FB',
    });
    expect(likePrefix('https://x/10/A%_')).to.equal('https://x/10/A\\%\\_%');
  });

  it('rejects unknown, repeated, empty and malformed parameters, naming them', () => {
    expect(fieldOf({ colour: 'red' })).to.equal('colour');
    expect(fieldOf({ EQ_bizStep: ['shipping', 'receiving'] })).to.equal('EQ_bizStep');
    expect(fieldOf({ EQ_bizStep: '' })).to.equal('EQ_bizStep');
    expect(fieldOf({ EQ_bizStep: 'shipping,,receiving' })).to.equal('EQ_bizStep');
    expect(fieldOf({ eventType: 'FooEvent' })).to.equal('eventType');
    expect(fieldOf({ GE_eventTime: '2025-01-01' })).to.equal('GE_eventTime');
    expect(fieldOf({ LT_eventTime: '2025-13-45T00:00:00Z' })).to.equal('LT_eventTime');
    expect(fieldOf({ perPage: '0' })).to.equal('perPage');
    expect(fieldOf({ perPage: '1001' })).to.equal('perPage');
    expect(fieldOf({ perPage: '2.5' })).to.equal('perPage');
    expect(fieldOf({ EQ_bizLocation: 'no uri' })).to.equal('EQ_bizLocation');
    expect(fieldOf({ MATCH_anyEPCClass: '*' })).to.equal('MATCH_anyEPCClass');
    expect(fieldOf({ 'EQ_bizTransaction_p o': 'urn:x:y' })).to.equal('EQ_bizTransaction_p o');
    expect(fieldOf({ EQ_disposition: 'In Transit' })).to.equal('EQ_disposition');
  });

  it('binds page tokens to the filters (not to perPage) and rejects tampered ones', () => {
    const a = parseEventQuery({ EQ_bizStep: 'shipping', perPage: '5' });
    const b = parseEventQuery({ perPage: '9', EQ_bizStep: 'shipping' });
    const c = parseEventQuery({ EQ_bizStep: 'receiving' });
    expect(a.fingerprint).to.equal(b.fingerprint);
    expect(a.fingerprint).to.not.equal(c.fingerprint);
    const token = encodePageToken({ block: '12', tx: 3, seq: 1 }, a.fingerprint);
    expect(decodePageToken(token, b.fingerprint)).to.deep.equal({ block: '12', tx: 3, seq: 1 });
    expect(decodePageToken(token, c.fingerprint)).to.equal(undefined);
    expect(decodePageToken('not a token!', a.fingerprint)).to.equal(undefined);
    const forged = Buffer.from(JSON.stringify({ v: 1, b: '1; DROP', t: 0, s: 0, f: a.fingerprint })).toString('base64url');
    expect(decodePageToken(forged, a.fingerprint)).to.equal(undefined);
  });

  it('builds one parameterised statement in record order, values never in the SQL text', () => {
    const q = parseEventQuery({ EQ_bizLocation: "urn:x:a';DROP-TABLE-x;--", MATCH_anyEPCClass: 'https://id.gs1.org/01/07612345000121/10/*' });
    const st = eventPageStatement(q, { block: '5', tx: 1, seq: 0 }, 31);
    expect(st.text).to.not.include('DROP');
    expect(st.text).to.match(/ORDER BY te\.block_number, te\.tx_index, te\.seq/);
    expect(st.values).to.deep.include(31);
  });

  it('keeps the plan of a page whose best plan does not depend on its values, and plans every other page per call', () => {
    const org = { org: 'RetailerMSP' };
    const stable = [parseEventQuery({}), parseEventQuery({ EQ_bizStep: 'shipping' }), parseEventQuery({ EQ_bizLocation: 'urn:epc:id:sgln:1' })];
    for (const q of stable) {
      for (const scope of [undefined, org]) {
        const st = eventPageStatement(q, { block: '5', tx: 1, seq: 0 }, 31, scope);
        expect(st.name).to.match(/^epcis_page_[0-9a-f]{24}$/);
        expect(st.text).to.match(/LIMIT 31\b/);
        expect(st.values).to.not.include(31);
        expect(eventPageStatement(q, { block: '9', tx: 0, seq: 2 }, 31, scope).name).to.equal(st.name);
      }
    }
    expect(eventPageStatement(parseEventQuery({}), undefined, 31, org).name).to.not.equal(eventPageStatement(parseEventQuery({}), undefined, 31).name);
    const planned = [
      { EQ_bizStep: 'shipping,receiving' },
      { EQ_bizStep: 'shipping', EQ_bizLocation: 'urn:epc:id:sgln:1' },
      { MATCH_anyEPCClass: 'https://id.gs1.org/01/07612345000121/10/L1' },
      { GE_eventTime: '2026-01-01T00:00:00Z' },
    ];
    for (const params of planned) {
      for (const scope of [undefined, org]) {
        const st = eventPageStatement(parseEventQuery(params), undefined, 31, scope);
        expect(st.name, JSON.stringify(params)).to.equal(undefined);
        expect(st.values).to.deep.include(31);
      }
    }
  });

  it('finds an organisation’s exact classes by its class keys alone, and tests other filters on the joined events', () => {
    const q = parseEventQuery({ MATCH_anyEPCClass: 'https://id.gs1.org/01/07612345000121/10/L1' });
    const st = eventPageStatement(q, undefined, 31, { org: 'RetailerMSP' });
    expect(st.text).to.include('epcis_reader_class_keys(er.org, er.any_epc_classes) &&');
    expect(st.text).to.not.include('er.org =');
    const prefix = eventPageStatement(parseEventQuery({ MATCH_anyEPCClass: 'https://id.gs1.org/01/07612345000121/10/*' }), undefined, 31, {
      org: 'RetailerMSP',
    });
    expect(prefix.text).to.include('er.org = $1').and.include('te.any_epc_classes').and.not.include('epcis_reader_class_keys');
  });
});
