/**
 * Benchmark: payment verifications per second against a local anvil chain and
 * JSON-RPC calls per verification, for the project's verifier (raw reads, chain
 * id checked once) against a baseline doing the same reads through an ethers
 * provider left at its defaults, in the same run.
 *
 *   npm run bench:payments [-- --payments 200 --concurrency 8]
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { writeFigures } from '../summary';
import { JsonRpcProvider, type JsonRpcPayload, type JsonRpcResult } from 'ethers';
import { createChainRegistry } from '../../gateway/src/payments/chain-registry';
import { transfersToPayee } from '../../gateway/src/payments/transfers';
import { createPaymentVerifier, type PaymentTerms } from '../../gateway/src/payments/verifier';
import { loadDevnetConfig } from '../../network/src/config';
import { LOCAL_CHAIN_ID } from '../../network/src/services/anvil';
import { startTestChain } from '../../test/fixtures/evm-chain';
import { runLoad } from '../chaincode/stats';

/** An ethers provider at its defaults, counting the JSON-RPC calls it makes. */
class DefaultCountingProvider extends JsonRpcProvider {
  calls = 0;
  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    this.calls += Array.isArray(payload) ? payload.length : 1;
    return super._send(payload);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { payments: { type: 'string', default: '200' }, concurrency: { type: 'string', default: '8' }, json: { type: 'string' } },
  });
  const n = Number(values.payments);
  const concurrency = Number(values.concurrency);
  const portBase = Number(process.env.BENCH_PORT_BASE ?? 38000);
  const base = loadDevnetConfig({ portBase });
  const cfg = loadDevnetConfig({ portBase, runDir: path.join(base.root, 'network', 'run', `bench-${portBase}`) });
  const chain = await startTestChain(cfg);
  try {
    const hashes: string[] = [];
    for (let i = 0; i < n; i++) hashes.push((await chain.usd.transfer(chain.payee, 1_000_000n)).hash as string);
    await chain.mine(5);
    const terms: PaymentTerms = { chainId: LOCAL_CHAIN_ID, asset: chain.usdAddress, decimals: 6, amountBaseUnits: '1000000', payee: chain.payee };
    const registry = createChainRegistry([
      {
        chainId: LOCAL_CHAIN_ID,
        name: 'local',
        rpcUrl: chain.anvil.rpcUrl,
        finality: { kind: 'confirmations', blocks: 3 },
        tokens: [{ address: chain.usdAddress, symbol: 'TUSD', decimals: 6 }],
      },
    ]);
    const verifier = createPaymentVerifier({ registry });
    const provider = await registry.provider(LOCAL_CHAIN_ID);
    const calls0 = provider.calls;
    const requests0 = provider.requests;
    const ours = await runLoad(n, concurrency, async (_, i) => {
      const v = await verifier.verify(terms, { chainId: LOCAL_CHAIN_ID, txHash: hashes[i] }, { notBefore: new Date(0) });
      if (v.status !== 'confirmed') throw new Error(`unexpected ${v.status}: ${v.reason}`);
    });
    const ourCalls = (provider.calls - calls0) / n;
    const ourRequests = (provider.requests - requests0) / n;

    const baseline = new DefaultCountingProvider(chain.anvil.rpcUrl);
    const naive = await runLoad(n, concurrency, async (_, i) => {
      const r = await baseline.getTransactionReceipt(hashes[i]);
      if (!r || r.status !== 1) throw new Error('no receipt');
      const [block, head] = await Promise.all([baseline.getBlock(r.blockHash), baseline.getBlockNumber()]);
      if (!block) throw new Error('no block');
      const found = transfersToPayee(
        r.logs.map((l) => ({ address: l.address, topics: l.topics, data: l.data, index: l.index })),
        terms.asset,
        terms.payee,
      );
      if (found.transfers.length === 0 || head - r.blockNumber + 1 < 3) throw new Error('not confirmed');
      await baseline.getTransactionReceipt(hashes[i]);
    });
    const naiveCalls = baseline.calls / n;
    baseline.destroy();
    registry.close();

    console.log(`\n${n} verifications of confirmed ERC-20 payments, concurrency ${concurrency}, anvil on loopback`);
    console.log('verifier                         verif/s   p50 ms  p99 ms  RPC calls/verif  HTTP requests/verif');
    console.log(
      `project (raw reads, static net)  ${ours.perSecond.toFixed(0).padStart(7)}  ${ours.p50.toFixed(1).padStart(7)} ${ours.p99.toFixed(1).padStart(7)}  ${ourCalls.toFixed(2).padStart(15)}  ${ourRequests.toFixed(2).padStart(19)}`,
    );
    console.log(
      `baseline (ethers defaults)       ${naive.perSecond.toFixed(0).padStart(7)}  ${naive.p50.toFixed(1).padStart(7)} ${naive.p99.toFixed(1).padStart(7)}  ${naiveCalls.toFixed(2).padStart(15)}`,
    );
    console.log(`ratio project/baseline: ${(ours.perSecond / naive.perSecond).toFixed(2)}x throughput, ${(ourCalls / naiveCalls).toFixed(2)}x RPC calls`);
    if (ours.failed || naive.failed)
      console.log(`failures: project ${ours.failed} (${ours.errors[0] ?? ''}), baseline ${naive.failed} (${naive.errors[0] ?? ''})`);
    writeFigures(values.json, 'payments', [
      {
        name: 'payments.verify.ps',
        label: `payment verifications/s, concurrency ${concurrency}`,
        value: ours.perSecond,
        unit: '/s',
        baseline: { label: 'ethers provider at its defaults', value: naive.perSecond },
      },
      {
        name: 'payments.verify.rpc',
        label: 'JSON-RPC calls per verification',
        value: ourCalls,
        unit: 'calls',
        baseline: { label: 'ethers provider at its defaults', value: naiveCalls },
      },
    ]);
  } finally {
    await chain.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
