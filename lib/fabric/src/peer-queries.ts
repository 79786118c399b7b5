/**
 * Reads answered by one named peer (the organisation's own by default): the
 * system chaincodes' chain height and blocks by number.
 */
import type { Endorser } from 'fabric-common';
import type { Network, Transaction } from 'fabric-network';
import * as protos from 'fabric-protos';
import { decodeBlock, type LedgerBlock } from './block-decoder';
import { decodeChainInfo, type ChainInfo } from './chain-info';
import type { LedgerClientOptions } from './client-types';
import { toServiceError } from './ledger-errors';

/** What fabric-network's QueryImpl answers per peer. */
type PeerQueryResult = Error | { isEndorsed: boolean; payload: Buffer; status: number; message: string };

/**
 * Makes `tx` evaluate on exactly `peer`. fabric-network's evaluate ignores
 * setEndorsingPeers: its query handler asks the client organisation's peers,
 * so "the height on that peer" would be the own peer's (and fail with it while
 * it is down). The handler is per transaction, so nothing else changes.
 */
export function onPeer(tx: Transaction, peer: Endorser): Transaction {
  (tx as unknown as { queryHandler: unknown }).queryHandler = {
    async evaluate(query: { evaluate(peers: Endorser[]): Promise<Record<string, PeerQueryResult>> }): Promise<Buffer> {
      const result = (await query.evaluate([peer]))[peer.name];
      if (result instanceof Error) throw result;
      if (!result.isEndorsed) throw Object.assign(new Error(`peer error response: ${result.message}`), { status: result.status });
      return result.payload;
    },
  };
  return tx.setEndorsingPeers([peer]);
}

/** The peer reads of a client on `network`. */
export function peerQueries(network: Network, opts: LedgerClientOptions) {
  const qscc = network.getContract('qscc');

  const endorser = (name?: string) => {
    const peerName = name ?? opts.peer.endpoint;
    const found = network
      .getChannel()
      .getEndorsers()
      .find((e) => e.name === peerName);
    if (!found) throw new Error(`unknown peer ${peerName}`);
    return found;
  };

  async function querySystem(fn: string, args: string[], peer?: string): Promise<Buffer> {
    try {
      return await onPeer(qscc.createTransaction(fn), endorser(peer)).evaluate(opts.channel, ...args);
    } catch (err) {
      throw toServiceError(err, `${fn} on ${peer ?? opts.peer.endpoint}`);
    }
  }

  async function height(peer?: string): Promise<bigint> {
    const info = protos.common.BlockchainInfo.decode(await querySystem('GetChainInfo', [], peer));
    return BigInt(info.height.toString());
  }

  async function chainInfo(peer?: string): Promise<ChainInfo> {
    return decodeChainInfo(await querySystem('GetChainInfo', [], peer));
  }

  async function blockByNumber(n: bigint, peer?: string): Promise<LedgerBlock> {
    return decodeBlock(await querySystem('GetBlockByNumber', [n.toString()], peer));
  }
  return { endorser, querySystem, height, chainInfo, blockByNumber };
}
