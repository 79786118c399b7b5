import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { blockHeaderHash } from '../../../lib/fabric/src';

describe('block header hash', function () {
  it('hashes the DER SEQUENCE of number, previous hash and data hash', function () {
    const prev = Buffer.alloc(32, 1);
    const data = Buffer.alloc(32, 2);
    // 30 47 | 02 01 05 | 04 20 <prev> | 04 20 <data>
    const der = Buffer.concat([Buffer.from([0x30, 0x47, 0x02, 0x01, 0x05, 0x04, 0x20]), prev, Buffer.from([0x04, 0x20]), data]);
    expect(blockHeaderHash(5n, prev, data).toString('hex')).to.equal(createHash('sha256').update(der).digest('hex'));
  });

  it('encodes numbers with the high bit set with a leading zero byte', function () {
    const empty = Buffer.alloc(0);
    const der = Buffer.from([0x30, 0x08, 0x02, 0x02, 0x00, 0x80, 0x04, 0x00, 0x04, 0x00]);
    expect(blockHeaderHash(128n, empty, empty).toString('hex')).to.equal(createHash('sha256').update(der).digest('hex'));
  });
});
