import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { createChainRegistry, type ChainRegistry } from '../../../gateway/src/payments/chain-registry';
import { createPaymentVerifier, paymentOutcome, type PaymentTerms, type PaymentVerifier } from '../../../gateway/src/payments/verifier';
import { LOCAL_CHAIN_ID } from '../../../network/src/services/anvil';
import { startTestChain, type TestChain } from '../../fixtures/evm-chain';
import { SHARED_PORT_BASE, testDevnetConfig } from '../../fixtures/test-devnet';

const USD = (n: number) => BigInt(n) * 1_000_000n;

describe('payment verification against a local EVM chain (anvil)', function () {
  this.timeout(60_000);
  let chain: TestChain;
  let registry: ChainRegistry;
  let verifier: PaymentVerifier;
  const since = new Date(Date.now() - 60_000);

  before(async () => {
    chain = await startTestChain(testDevnetConfig(SHARED_PORT_BASE));
    registry = createChainRegistry([
      {
        chainId: LOCAL_CHAIN_ID,
        name: 'local',
        rpcUrl: chain.anvil.rpcUrl,
        finality: { kind: 'confirmations', blocks: 3 },
        tokens: [
          { address: chain.usdAddress, symbol: 'TUSD', decimals: 6 },
          { address: chain.otherTokenAddress, symbol: 'OUSD', decimals: 6 },
          // Listed only to prove its 4-topic Transfer logs are never read as ERC-20 transfers.
          { address: chain.collectibleAddress, symbol: 'TCOL', decimals: 0 },
        ],
      },
    ]);
    verifier = createPaymentVerifier({ registry });
  });
  after(async () => {
    registry?.close();
    await chain?.stop();
  });

  const terms = (amount: bigint, extra: Partial<PaymentTerms> = {}): PaymentTerms => ({
    chainId: LOCAL_CHAIN_ID,
    asset: chain.usdAddress,
    decimals: 6,
    amountBaseUnits: amount.toString(),
    payee: chain.payee,
    ...extra,
  });

  async function pay(amount: bigint, to = chain.payee, token = chain.usd): Promise<string> {
    const tx = await token.transfer(to, amount);
    await tx.wait();
    return tx.hash as string;
  }

  async function verifyFinal(t: PaymentTerms, txHash: string) {
    await chain.mine(3);
    return verifier.verify(t, { chainId: LOCAL_CHAIN_ID, txHash }, { notBefore: since });
  }

  it('is pending until final, then confirms an exact payment', async () => {
    const txHash = await pay(USD(100));
    const first = await verifier.verify(terms(USD(100)), { chainId: LOCAL_CHAIN_ID, txHash }, { notBefore: since });
    expect(first.status).to.equal('pending');
    expect(first.confirmations).to.equal(1);
    const v = await verifyFinal(terms(USD(100)), txHash);
    expect(v.status).to.equal('confirmed');
    expect(v.totalBaseUnits).to.equal(USD(100));
    expect(v.transfers).to.have.length(1);
    expect(v.transfers[0]).to.include({ from: chain.payerAddress, to: chain.payee });
    expect(paymentOutcome(v.totalBaseUnits, USD(100))).to.equal('paid');
  });

  it('classifies an underpayment as partial and an overpayment as overpaid', async () => {
    const under = await verifyFinal(terms(USD(100)), await pay(USD(60)));
    expect(under.status).to.equal('confirmed');
    expect(paymentOutcome(under.totalBaseUnits, USD(100))).to.equal('partial');
    const over = await verifyFinal(terms(USD(100)), await pay(USD(150)));
    expect(paymentOutcome(over.totalBaseUnits, USD(100))).to.equal('overpaid');
  });

  it('rejects the wrong token, the wrong payee and the wrong chain', async () => {
    const wrongToken = await verifyFinal(terms(USD(10)), await pay(USD(10), chain.payee, chain.otherToken));
    expect(wrongToken.status).to.equal('invalid');
    expect(wrongToken.reason).to.match(/^wrong token/);
    const wrongPayee = await verifyFinal(terms(USD(10)), await pay(USD(10), chain.other));
    expect(wrongPayee.status).to.equal('invalid');
    expect(wrongPayee.reason).to.match(/^wrong payee/);
    const txHash = await pay(USD(10));
    const wrongChain = await verifier.verify(terms(USD(10)), { chainId: 137, txHash }, { notBefore: since });
    expect(wrongChain.status).to.equal('invalid');
    expect(wrongChain.reason).to.match(/^wrong chain/);
  });

  it('rejects a reverted transaction', async () => {
    // More than the payer holds; sent with a fixed gas limit so it is mined and reverts.
    const tx = await chain.usd.transfer(chain.payee, 10n ** 30n, { gasLimit: 100_000 });
    const receipt = (await chain.provider.send('eth_getTransactionReceipt', [tx.hash])) as { status: string };
    expect(receipt.status).to.equal('0x0');
    const v = await verifyFinal(terms(USD(10)), tx.hash);
    expect(v.status).to.equal('invalid');
    expect(v.reason).to.match(/reverted/);
  });

  it('ignores an ERC-721 Transfer (same topic, four topics) even from a listed contract', async () => {
    const tx = await chain.collectible.mint(chain.payee, 7n);
    await tx.wait();
    const v = await verifyFinal(terms(1n, { asset: chain.collectibleAddress, decimals: 0 }), tx.hash);
    expect(v.status).to.equal('invalid');
    expect(v.reason).to.match(/^no transfer of token/);
    expect(v.totalBaseUnits).to.equal(0n);
  });

  it('sums two transfers to the payee in one transaction', async () => {
    const tx = await chain.usd.transferMany([chain.payee, chain.other, chain.payee], [USD(30), USD(5), USD(70)]);
    await tx.wait();
    const v = await verifyFinal(terms(USD(100)), tx.hash);
    expect(v.status).to.equal('confirmed');
    expect(v.transfers.map((t) => t.amountBaseUnits)).to.deep.equal([USD(30), USD(70)]);
    expect(new Set(v.transfers.map((t) => t.logIndex)).size).to.equal(2);
    expect(paymentOutcome(v.totalBaseUnits, USD(100))).to.equal('paid');
  });

  it('verifies a native-coin payment by the transaction value and recipient', async () => {
    const native = terms(10n ** 18n, { asset: 'native', decimals: 18 });
    const ok = await chain.payer.sendTransaction({ to: chain.payee, value: 10n ** 18n });
    await ok.wait();
    const v = await verifyFinal(native, ok.hash);
    expect(v.status).to.equal('confirmed');
    expect(v.transfers).to.deep.equal([{ logIndex: null, from: chain.payerAddress, to: chain.payee, amountBaseUnits: 10n ** 18n }]);
    const elsewhere = await chain.payer.sendTransaction({ to: chain.other, value: 10n ** 18n });
    await elsewhere.wait();
    const wrong = await verifyFinal(native, elsewhere.hash);
    expect(wrong.status).to.equal('invalid');
    expect(wrong.reason).to.match(/^wrong payee/);
  });

  it('binds the payer when the order names one', async () => {
    const txHash = await pay(USD(10));
    const v = await verifyFinal(terms(USD(10), { payer: chain.other }), txHash);
    expect(v.status).to.equal('invalid');
    expect(v.reason).to.match(/^wrong payer/);
  });

  it('rejects a payment mined before the order existed', async () => {
    const txHash = await pay(USD(10));
    await chain.mine(3);
    const v = await verifier.verify(terms(USD(10)), { chainId: LOCAL_CHAIN_ID, txHash }, { notBefore: new Date(Date.now() + 3_600_000) });
    expect(v.status).to.equal('invalid');
    expect(v.reason).to.match(/before the order existed/);
  });

  it('sends a payment back to pending when a reorg moves it to another block before finality', async () => {
    const txHash = await pay(USD(100));
    await chain.mine(1);
    const before = await verifier.verify(terms(USD(100)), { chainId: LOCAL_CHAIN_ID, txHash }, { notBefore: since });
    expect(before.status).to.equal('pending');
    const raw = (await chain.provider.send('eth_getRawTransactionByHash', [txHash])) as string;
    // Replace the last two blocks; the payment is mined again in the first new block.
    await chain.provider.send('anvil_reorg', [2, [[raw, 0]]]);
    await chain.mine(3);
    const after = await verifier.verify(terms(USD(100)), { chainId: LOCAL_CHAIN_ID, txHash }, { notBefore: since, knownBlockHash: before.blockHash });
    expect(after.blockHash).to.not.equal(before.blockHash);
    expect(after.status).to.equal('pending');
    expect(after.reason).to.match(/^reorg/);
    const settled = await verifier.verify(terms(USD(100)), { chainId: LOCAL_CHAIN_ID, txHash }, { notBefore: since, knownBlockHash: after.blockHash });
    expect(settled.status).to.equal('confirmed');
  });

  it('keeps an unknown transaction hash pending', async () => {
    const v = await verifier.verify(terms(USD(1)), { chainId: LOCAL_CHAIN_ID, txHash: `0x${randomBytes(32).toString('hex')}` }, { notBefore: since });
    expect(v.status).to.equal('pending');
    expect(v.reason).to.match(/not found/);
  });

  it('refuses an RPC endpoint that answers as another chain', async () => {
    const wrong = createChainRegistry([{ chainId: 1, name: 'ethereum', rpcUrl: chain.anvil.rpcUrl, finality: { kind: 'finalized' }, tokens: [] }]);
    try {
      let err: any;
      await wrong.provider(1).catch((e) => (err = e));
      expect(err?.code).to.equal('WRONG_CHAIN');
    } finally {
      wrong.close();
    }
  });
});
