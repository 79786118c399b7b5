/**
 * Merkle tree over receipt hashes (SHA-256, domain-separated leaves and
 * nodes so a node can never pass for a leaf). An odd node is carried up
 * unchanged. Each leaf gets an inclusion proof verifiable against the root.
 */
import { createHash } from 'node:crypto';

export interface ProofStep {
  /** Which side the sibling sits on. */
  side: 'left' | 'right';
  hash: string;
}

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

/** Hash of one receipt's canonical bytes. */
export function leafHash(data: string | Buffer): string {
  return sha(Buffer.from([0]), Buffer.from(data)).toString('hex');
}

function nodeHash(left: string, right: string): string {
  return sha(Buffer.from([1]), Buffer.from(left, 'hex'), Buffer.from(right, 'hex')).toString('hex');
}

/** Root and one proof per leaf (leaves are hex hashes). */
export function merkleTree(leaves: string[]): { root: string; proofs: ProofStep[][] } {
  if (leaves.length === 0) throw new Error('a Merkle tree needs at least one leaf');
  const proofs: ProofStep[][] = leaves.map(() => []);
  let level = leaves.map((h, i) => ({ h, members: [i] }));
  while (level.length > 1) {
    const next: typeof level = [];
    for (let i = 0; i < level.length; i += 2) {
      const l = level[i];
      const r = level[i + 1];
      if (!r) {
        next.push(l);
        continue;
      }
      for (const m of l.members) proofs[m].push({ side: 'right', hash: r.h });
      for (const m of r.members) proofs[m].push({ side: 'left', hash: l.h });
      next.push({ h: nodeHash(l.h, r.h), members: [...l.members, ...r.members] });
    }
    level = next;
  }
  return { root: level[0].h, proofs };
}

/** Recomputes the root from a leaf and its proof. */
export function verifyProof(leaf: string, proof: ProofStep[], root: string): boolean {
  let h = leaf;
  for (const step of proof) h = step.side === 'left' ? nodeHash(step.hash, h) : nodeHash(h, step.hash);
  return h === root.toLowerCase().replace(/^0x/, '');
}
