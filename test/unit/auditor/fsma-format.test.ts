import { expect } from 'chai';
import { gs1CheckDigit } from '../../../chaincode/src/traceability/gs1';
import { FSMA_COLUMNS, keyRows } from '../../../indexer/src/query/fsma/fsma-columns';
import { csvField, csvLine } from '../../../indexer/src/query/fsma/fsma-csv';
import { parseFsmaQuery, tlcClass } from '../../../indexer/src/query/fsma/fsma-params';
import { glnOfSgln } from '../../../indexer/src/query/fsma/fsma-rows';
import { columnLetter } from '../../../indexer/src/query/fsma/fsma-xlsx';

describe('auditor: FSMA 204 export parameters and formats', () => {
  it('parses format, TLCs and an inclusive date range', () => {
    const q = parseFsmaQuery({ format: 'xlsx', tlc: '07612345000127/LOT-1,07612345000127/A', from: '2025-01-01', to: '2025-01-31' });
    expect(q.format).to.equal('xlsx');
    expect(q.tlcs).to.deep.equal([
      { gtin: '07612345000127', lotCode: 'LOT-1' },
      { gtin: '07612345000127', lotCode: 'A' },
    ]);
    expect(q.to?.toISOString()).to.equal('2025-02-01T00:00:00.000Z');
    expect(tlcClass({ gtin: '07612345000127', lotCode: 'A/B' })).to.equal('https://id.gs1.org/01/07612345000127/10/A%2FB');
    expect(parseFsmaQuery({}).format).to.equal('csv');
  });

  it('rejects malformed parameters naming them', () => {
    const field = (q: Record<string, unknown>) => {
      try {
        parseFsmaQuery(q);
      } catch (err) {
        return (err as { details?: { field?: string } }).details?.field;
      }
      return undefined;
    };
    expect(field({ format: 'pdf' })).to.equal('format');
    expect(field({ tlc: '123/LOT' })).to.equal('tlc');
    expect(field({ tlc: '07612345000127/' })).to.equal('tlc');
    expect(field({ from: '2025-02-30' })).to.equal('from');
    expect(field({ from: '2025-02-01', to: '2025-01-01' })).to.equal('from');
    expect(field({ lot: 'x' })).to.equal('lot');
    expect(field({ tlc: ['a', 'b'] })).to.equal('tlc');
  });

  it('quotes CSV fields as RFC 4180 says, with CRLF records', () => {
    expect(csvField('plain')).to.equal('plain');
    expect(csvField('a,b')).to.equal('"a,b"');
    expect(csvField('say "hi"')).to.equal('"say ""hi"""');
    expect(csvField('two\nlines')).to.equal('"two\nlines"');
    expect(csvField(12.5)).to.equal('12.5');
    expect(csvLine(['a', 'b,c'])).to.equal('a,"b,c"\r\n');
  });

  it('has unique headers, a key entry for every column, spreadsheet letters and SGLN to GLN', () => {
    expect(new Set(FSMA_COLUMNS.map((c) => c.header)).size).to.equal(FSMA_COLUMNS.length);
    const described = keyRows()
      .filter((r) => r[0] === 'Column')
      .map((r) => r[1]);
    expect(described).to.deep.equal(FSMA_COLUMNS.map((c) => c.header));
    expect([columnLetter(1), columnLetter(26), columnLetter(27), columnLetter(43)]).to.deep.equal(['A', 'Z', 'AA', 'AQ']);
    expect(glnOfSgln('urn:epc:id:sgln:7612345.00001.0')).to.equal(`761234500001${gs1CheckDigit('761234500001')}`);
    expect(glnOfSgln('urn:x')).to.equal(undefined);
  });
});
