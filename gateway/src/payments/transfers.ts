/**
 * Finds the ERC-20 transfers to a payee in a transaction receipt's logs.
 * Only logs of the order's token contract with the Transfer topic and exactly
 * three topics count: an ERC-721 Transfer has the same topic but four.
 */
import { id } from 'ethers';

export const TRANSFER_TOPIC = id('Transfer(address,address,uint256)');

export interface ReceiptLog {
  address: string;
  topics: readonly string[];
  data: string;
  index: number;
}

export interface Transfer {
  /** Position of the log in the block; null for a native-coin transfer. */
  logIndex: number | null;
  from: string;
  to: string;
  amountBaseUnits: bigint;
}

/** Lower-case address from a 32-byte indexed topic. */
export function topicAddress(topic: string): string {
  return `0x${topic.slice(-40)}`.toLowerCase();
}

function isErc20Transfer(log: ReceiptLog): boolean {
  return log.topics.length === 3 && log.topics[0] === TRANSFER_TOPIC;
}

/** Every ERC-20 transfer in the logs, of any token. */
export function erc20Transfers(logs: readonly ReceiptLog[]): Array<Transfer & { token: string }> {
  return logs.filter(isErc20Transfer).map((log) => ({
    token: log.address.toLowerCase(),
    logIndex: log.index,
    from: topicAddress(log.topics[1]),
    to: topicAddress(log.topics[2]),
    amountBaseUnits: log.data === '0x' ? 0n : BigInt(log.data),
  }));
}

/**
 * Transfers of `token` to `payee`, or the reason there are none: another
 * token was sent to the payee, or this token went to someone else.
 */
export function transfersToPayee(logs: readonly ReceiptLog[], token: string, payee: string): { transfers: Transfer[]; reason?: string } {
  const all = erc20Transfers(logs);
  const t = token.toLowerCase();
  const p = payee.toLowerCase();
  const transfers = all.filter((x) => x.token === t && x.to === p && x.amountBaseUnits > 0n).map(({ token: _t, ...rest }) => rest);
  if (transfers.length > 0) return { transfers };
  if (all.some((x) => x.to === p)) return { transfers, reason: `wrong token: the transfer to ${p} is not in token ${t}` };
  if (all.some((x) => x.token === t)) return { transfers, reason: `wrong payee: token ${t} was sent, but not to ${p}` };
  return { transfers, reason: `no transfer of token ${t} to ${p} in this transaction` };
}
