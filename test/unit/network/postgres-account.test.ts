import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { asUser, firstClosedFolder } from '../../../network/src/services/postgres-account';

describe('PostgreSQL under its own account: folder checks', () => {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-account-'));
  after(() => fs.rmSync(top, { recursive: true, force: true }));

  it('names the first folder on the way that other users cannot enter', () => {
    fs.chmodSync(top, 0o700);
    const inner = path.join(top, 'a', 'b');
    fs.mkdirSync(inner, { recursive: true, mode: 0o755 });
    expect(firstClosedFolder(inner)).to.equal(top);
    expect(firstClosedFolder(path.join(inner, 'not-yet', 'made'))).to.equal(top);
  });

  it('accepts a path whose existing folders are all enterable', () => {
    fs.chmodSync(top, 0o755);
    fs.mkdirSync(path.join(top, 'open'), { mode: 0o755 });
    fs.chmodSync(path.join(top, 'open'), 0o711);
    expect(firstClosedFolder(path.join(top, 'open', 'service', 'dir'))).to.equal(undefined);
  });

  it('drops to another account with setpriv, which execs in place', () => {
    expect(asUser(undefined, '/bin/x', ['-a'])).to.deep.equal({ command: '/bin/x', args: ['-a'] });
    expect(asUser({ uid: 101, gid: 102 }, '/bin/x', ['-a'])).to.deep.equal({
      command: 'setpriv',
      args: ['--reuid=101', '--regid=102', '--clear-groups', '--', '/bin/x', '-a'],
    });
  });
});
