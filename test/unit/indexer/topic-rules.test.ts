import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TOPICS } from '../../../indexer/src/projection/outbox-messages';
import { READ_RULES } from '../../../indexer/src/query/read-rules';
import { outboxVisible, TOPIC_RULES, topicRuleList } from '../../../indexer/src/query/topic-rules';
import { VISIBLE } from '../../../indexer/src/query/visibility';

const DOC = path.resolve(__dirname, '../../../../docs/events.md');

describe('what a member’s indexer publishes (topic rules)', () => {
  const sql = outboxVisible('o', '$3', '$4');

  it('every topic has a rule of the query API, and nothing else has one', () => {
    expect(Object.keys(TOPIC_RULES).sort()).to.deep.equal(Object.values(TOPICS).sort());
    for (const [topic, r] of Object.entries(TOPIC_RULES)) {
      expect(r.rules.length, topic).to.be.greaterThan(0);
      for (const rule of r.rules) expect(Object.keys(READ_RULES), `${topic}: ${rule}`).to.include(rule);
      expect(sql, topic).to.include(`WHEN '${topic}' THEN`);
    }
    // A topic the indexer does not know is published to nobody.
    expect(sql.trimEnd()).to.match(/ELSE false END\)$/);
  });

  it('applies the query API’s own predicates, with the owner bound once (NULL: every row)', () => {
    expect(sql.startsWith('($3::text IS NULL OR')).to.equal(true);
    // The same SQL the query routes use, for the record each message describes.
    expect(sql).to.include(VISIBLE.shipmentId('o.message_key', '$3'));
    expect(sql).to.include(VISIBLE.order('vop', '$3'));
    expect(sql).to.include(VISIBLE.recall('vor', '$3'));
    expect(sql).to.include(VISIBLE.transaction('vtx', '$3'));
    expect(sql).to.include(VISIBLE.lot("split_part(o.message_key, '/', 1)", "substr(o.message_key, strpos(o.message_key, '/') + 1)", '$3'));
    expect(sql).to.include(VISIBLE.location('vom.gln', '$3'));
    expect(sql).to.include('substr(o.topic, length($4::text) + 2)');
    // Every placeholder is the owner or the prefix: nothing of a message is interpolated.
    expect([...new Set(sql.match(/\$\d+/g))].sort()).to.deep.equal(['$3', '$4']);
  });

  it('docs/events.md lists every topic with its rule, as the table says', () => {
    expect(fs.readFileSync(DOC, 'utf8'), 'docs/events.md: paste topicRuleList() into "What a member’s indexer publishes"').to.include(topicRuleList());
  });
});
