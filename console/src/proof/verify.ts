/**
 * Verifies a transaction's raw proof material in the browser, with WebCrypto:
 * nothing the server says is taken on trust except the bytes themselves.
 * Every check is reported, so a tampered byte shows exactly what it broke.
 */
import { X509Certificate } from '@peculiar/x509';
import { concat, equal, fromBase64, fromHex, sha256, toHex } from './bytes';
import { blockHeaderDer, ecdsaDerToRaw } from './der';
import { channelMsps, decodeBlock, decodeEnvelope, envelopeTxId, validationCodeName, type ChannelMsp, type DecodedEnvelope, type Identity } from './fabric';

/** The gateway's answer to GET /provenance/transactions/{txId}/raw. */
export interface RawProofBundle {
  txId: string;
  channelTip: string;
  block: { number: string; raw: string };
  configBlock: { number: string; raw: string };
  pinned: string;
  headers: Array<{ number: string; previousHash: string; dataHash: string }>;
}

/** A block the auditor pinned: its number and header hash, obtained out of band. */
export interface PinnedBlock {
  number: string;
  headerHash: string;
}

export interface Check {
  id: string;
  label: string;
  ok: boolean;
  detail: string;
}

export interface ProofResult {
  txId: string;
  ok: boolean;
  checks: Check[];
  envelope?: DecodedEnvelope;
  blockNumber: string;
  members: string[];
  ms: number;
}

// A header's hash is a pure function of its three fields, so hashes computed for one proof are reused by the
// next (a trace's proofs share most of their chain). Keyed by the fields themselves, a changed byte misses.
const headerHashes = new Map<string, Promise<Uint8Array>>();
const headerHash = (n: bigint, prev: Uint8Array, data: Uint8Array): Promise<Uint8Array> => {
  const key = `${n}:${toHex(prev)}:${toHex(data)}`;
  let h = headerHashes.get(key);
  if (!h) {
    if (headerHashes.size > 50_000) headerHashes.clear();
    headerHashes.set(key, (h = sha256(blockHeaderDer(n, prev, data))));
  }
  return h;
};

async function chainProblem(id: Identity, msps: ChannelMsp[], at: Date): Promise<string | undefined> {
  const m = msps.find((x) => x.mspId === id.mspId);
  if (!m) return `${id.mspId} is not an organisation of the channel`;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(id.certPem);
  } catch {
    return 'the identity is not an X.509 certificate';
  }
  if (at < cert.notBefore || at > cert.notAfter) return `the certificate was not valid at ${at.toISOString()}`;
  const roots = m.rootCerts.map((p) => new X509Certificate(p));
  const intermediates = m.intermediateCerts.map((p) => new X509Certificate(p));
  const issuedBy = async (c: X509Certificate, ca: X509Certificate) =>
    c.issuer === ca.subject && (await c.verify({ publicKey: ca, signatureOnly: true }).catch(() => false));
  for (const root of roots) if (await issuedBy(cert, root)) return undefined;
  for (const mid of intermediates) {
    if (!(await issuedBy(cert, mid))) continue;
    for (const root of roots) if (await issuedBy(mid, root)) return undefined;
    return `the intermediate CA of ${id.mspId} does not chain to its root`;
  }
  return `the certificate does not chain to a root CA of ${id.mspId}`;
}

async function signatureValid(id: Identity, signed: Uint8Array, derSignature: Uint8Array): Promise<boolean> {
  try {
    const cert = new X509Certificate(id.certPem);
    const curve = (cert.publicKey.algorithm as EcKeyAlgorithm).namedCurve ?? 'P-256';
    const size = curve === 'P-384' ? 48 : curve === 'P-521' ? 66 : 32;
    const hash = curve === 'P-384' ? 'SHA-384' : curve === 'P-521' ? 'SHA-512' : 'SHA-256';
    const key = await crypto.subtle.importKey('spki', cert.publicKey.rawData, { name: 'ECDSA', namedCurve: curve }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'ECDSA', hash }, key, ecdsaDerToRaw(derSignature, size) as BufferSource, signed as BufferSource);
  } catch {
    return false;
  }
}

/** Runs every check of a proof bundle against the auditor's pinned block. */
export async function verifyProof(bundle: RawProofBundle, pin: PinnedBlock | undefined): Promise<ProofResult> {
  const t0 = performance.now();
  const checks: Check[] = [];
  const add = (id: string, label: string, ok: boolean, detail: string) => checks.push({ id, label, ok, detail });
  let envelope: DecodedEnvelope | undefined;
  let members: string[] = [];
  try {
    const block = decodeBlock(fromBase64(bundle.block.raw));
    const index = block.data.findIndex((d) => envelopeTxId(d) === bundle.txId);
    add(
      'envelope-in-block',
      'The envelope is one of the block’s data entries',
      index >= 0,
      index >= 0 ? `entry ${index} of block ${block.number}` : `no entry of block ${block.number} holds transaction ${bundle.txId}`,
    );

    const dataHash = await sha256(concat(block.data));
    add(
      'data-hash',
      'The block’s data hash covers its entries',
      equal(dataHash, block.dataHash),
      `SHA-256 of ${block.data.length} entries = ${toHex(dataHash).slice(0, 16)}…, header says ${toHex(block.dataHash).slice(0, 16)}…`,
    );

    const code = index >= 0 ? block.validation[index] : undefined;
    add('validation', 'The peers validated the transaction', code === 0, code === undefined ? 'no validation flag' : validationCodeName(code));

    const config = decodeBlock(fromBase64(bundle.configBlock.raw));
    const configHash = await sha256(concat(config.data));
    const msps = channelMsps(fromBase64(bundle.configBlock.raw));
    members = msps.map((m) => m.mspId);
    add(
      'config-data-hash',
      'The config block (MSP roots) is intact',
      equal(configHash, config.dataHash),
      `config block ${config.number}: ${members.join(', ')}`,
    );

    // Header chain: every listed header links to the one before, and the two full blocks sit in it.
    const headers = bundle.headers.map((h) => ({ number: BigInt(h.number), prev: fromHex(h.previousHash), data: fromHex(h.dataHash) }));
    let chainOk = headers.length > 0;
    let chainDetail = `${headers.length} headers, blocks ${headers[0]?.number} to ${headers.at(-1)?.number}`;
    const hashes: Uint8Array[] = [];
    for (let i = 0; i < headers.length && chainOk; i++) {
      const h = headers[i];
      hashes.push(await headerHash(h.number, h.prev, h.data));
      if (i > 0 && (h.number !== headers[i - 1].number + 1n || !equal(h.prev, hashes[i - 1]))) {
        chainOk = false;
        chainDetail = `block ${h.number} does not link to block ${headers[i - 1].number}`;
      }
    }
    const inChain = (b: { number: bigint; previousHash: Uint8Array; dataHash: Uint8Array }) => {
      const h = headers.find((x) => x.number === b.number);
      return !!h && equal(h.prev, b.previousHash) && equal(h.data, b.dataHash);
    };
    if (chainOk && !inChain(block)) {
      chainOk = false;
      chainDetail = `block ${block.number}'s header is not the one in the chain`;
    }
    if (chainOk && !inChain(config)) {
      chainOk = false;
      chainDetail = `config block ${config.number}'s header is not the one in the chain`;
    }
    add('hash-chain', 'Header hashes link the block and the config block to the pinned block', chainOk, chainDetail);

    if (!pin) add('pinned', 'The chain ends at the block you pinned', false, 'no block pinned: pin one first (Ledger view)');
    else {
      const i = headers.findIndex((h) => h.number === BigInt(pin.number));
      const ok = i >= 0 && chainOk && toHex(hashes[i] ?? new Uint8Array()) === pin.headerHash.toLowerCase();
      add(
        'pinned',
        'The chain ends at the block you pinned',
        ok,
        i < 0
          ? `the chain does not reach pinned block ${pin.number}`
          : ok
            ? `block ${pin.number} ${pin.headerHash.slice(0, 16)}…`
            : `block ${pin.number} hashes to ${toHex(hashes[i] ?? new Uint8Array()).slice(0, 16)}…, you pinned ${pin.headerHash.slice(0, 16)}…`,
      );
    }

    if (index >= 0) {
      envelope = decodeEnvelope(block.data[index]);
      add('tx-id', 'The envelope is the transaction asked for', envelope.txId === bundle.txId, envelope.txId);
      const at = envelope.timestamp;
      const creatorChain = await chainProblem(envelope.creator, msps, at);
      add(
        'creator-cert',
        `Creator certificate chains to a ${envelope.creator.mspId} root CA`,
        !creatorChain,
        creatorChain ?? 'issued by the MSP root, valid at the transaction time',
      );
      const creatorSig = await signatureValid(envelope.creator, envelope.payload, envelope.signature);
      add(
        'creator-signature',
        `Creator signature (${envelope.creator.mspId}, ECDSA)`,
        creatorSig,
        creatorSig ? 'verifies over the payload' : 'does not verify',
      );
      add(
        'endorsed',
        'The transaction carries endorsements',
        envelope.endorsements.length > 0,
        envelope.endorsements.map((e) => e.identity.mspId).join(', ') || 'none',
      );
      for (const [k, e] of envelope.endorsements.entries()) {
        const p = await chainProblem(e.identity, msps, at);
        add(`endorser-cert-${k}`, `Endorser ${k + 1} certificate chains to a ${e.identity.mspId} root CA`, !p, p ?? 'issued by the MSP root');
        const ok = await signatureValid(e.identity, e.signed, e.signature);
        add(
          `endorser-signature-${k}`,
          `Endorser ${k + 1} signature (${e.identity.mspId}, ECDSA)`,
          ok,
          ok ? 'verifies over the proposal response' : 'does not verify',
        );
      }
    }
  } catch (err) {
    add('decode', 'The material decodes', false, (err as Error).message);
  }
  return { txId: bundle.txId, ok: checks.every((c) => c.ok), checks, envelope, blockNumber: bundle.block.number, members, ms: performance.now() - t0 };
}
