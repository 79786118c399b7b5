import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { READ_RULES, ruleList } from '../../../indexer/src/query/read-rules';
import { QUERY_ROUTES } from '../../../indexer/src/query/route-table';

const DOC = path.resolve(__dirname, '../../../../docs/visibility.md');

describe('query API visibility rules', () => {
  it('every route names a known rule; a route that reads member data names a rule that scopes it', () => {
    for (const r of QUERY_ROUTES) {
      const where = `${r.method.toUpperCase()} ${r.path}`;
      expect(r.visibility, `${where} names no visibility rule`).to.be.a('string');
      expect(Object.keys(READ_RULES), `${where}: unknown rule ${String(r.visibility)}`).to.include(r.visibility);
      // Only routes that answer no member's records may say so; everything else is scoped by a rule.
      if (r.visibility === 'public') expect(['operations', 'epcis', 'fsma'], where).to.include(r.tag);
      if (r.visibility === 'public' && r.tag !== 'operations')
        expect(r.operationId, where).to.be.oneOf(['epcisOptions', 'epcisResourceOptions', 'epcisRoot', 'fsmaKey']);
    }
  });

  it('docs/visibility.md lists every route with its rule, as the table says', () => {
    const doc = fs.readFileSync(DOC, 'utf8');
    expect(doc, 'docs/visibility.md: paste ruleList(QUERY_ROUTES) into "Rule of each query API route"').to.include(ruleList(QUERY_ROUTES));
    for (const [name, text] of Object.entries(READ_RULES)) expect(doc, `rule ${name}`).to.include(`| ${name} | ${text} |`);
  });
});
