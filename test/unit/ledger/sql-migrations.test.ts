import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listMigrations } from '../../../lib/platform/src';
import { gatewayMigrationsDir } from '../../../gateway/src/db';
import { migrationsDir } from '../../../indexer/src/db/migrate';

describe('numbered SQL migrations', () => {
  it('lists NNN_name.sql files in order and ignores anything else', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    try {
      for (const f of ['010_later.sql', '002_second.sql', '001_first.sql', 'README.md', '3_bad.sql']) fs.writeFileSync(path.join(dir, f), '');
      expect(listMigrations(dir).map((m) => `${m.version}:${m.name}`)).to.deep.equal(['1:first', '2:second', '10:later']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses two files with the same number, naming both', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    try {
      for (const f of ['001_a.sql', '009_epcis.sql', '009_members.sql']) fs.writeFileSync(path.join(dir, f), '');
      expect(() => listMigrations(dir)).to.throw(/009.*009_epcis\.sql, 009_members\.sql/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the gateway and the indexer each have a gap-free sequence from 001', () => {
    for (const dir of [gatewayMigrationsDir(), migrationsDir()]) {
      const versions = listMigrations(dir).map((m) => m.version);
      expect(versions, dir).to.deep.equal(versions.map((_, i) => i + 1));
    }
    expect(listMigrations(gatewayMigrationsDir()).map((m) => m.name)).to.include.members([
      'submissions',
      'payment_claims',
      'epcis_captures',
      'pos_receipt_proofs',
    ]);
  });
});
