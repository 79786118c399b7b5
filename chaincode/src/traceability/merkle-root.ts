/**
 * The Merkle root the gateway's POS adapter builds (SHA-256; leaves prefixed
 * 0x00, nodes 0x01, so a node can never pass for a leaf; an odd node is
 * carried up unchanged). A roll-up's region root is recomputed here from the
 * store batches it carries, so the root on the ledger is the contract's own
 * finding, not the caller's claim.
 */
import { createHash } from 'node:crypto';

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

/** Leaf hash of one data item (hex). */
export function merkleLeaf(data: string): string {
  return sha(Buffer.from([0]), Buffer.from(data, 'utf8')).toString('hex');
}

/** The leaf a store batch contributes to its region's root. */
export function storeBatchLeaf(gln: string, batchId: string, merkleRoot: string): string {
  return merkleLeaf(`${gln}|${batchId}|${merkleRoot}`);
}

/** Root over hex leaf hashes, in the order given. */
export function merkleRootOf(leaves: readonly string[]): string {
  if (leaves.length === 0) throw new Error('a Merkle tree needs at least one leaf');
  let level: Buffer[] = leaves.map((h) => Buffer.from(h, 'hex'));
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? sha(Buffer.from([1]), level[i], level[i + 1]) : level[i]);
    level = next;
  }
  return level[0].toString('hex');
}
