/** The ledger: newest blocks with their transactions, live from the indexer's stream; config blocks and their members. */
import { useEffect, useState } from 'preact/hooks';
import { gateway, index, subscribe } from '../lib/api';
import { loadPin, pinNewest } from '../lib/pin';
import { canProve } from '../lib/roles';
import { fromBase64 } from '../proof/bytes';
import { channelMsps } from '../proof/fabric';

interface Block {
  block_number: string;
  header_hash: string;
  tx_count: number;
  transactions: Array<{ tx_id: string; validation_code: string; tx_type: string; creator_msp: string; endorser_msps: string[]; fn: string | null }>;
}

export function LedgerView({ roles }: { roles: string[] }) {
  const [blocks, setBlocks] = useState<Block[]>([]);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<string>();
  const [members, setMembers] = useState<Array<{ block: string; msps: string[] }>>([]);
  const [pin, setPin] = useState(loadPin());

  useEffect(() => {
    index<{ blocks: Block[] }>('/ledger/blocks?limit=25').then(
      (r) => setBlocks(r.blocks),
      (e: Error) => setError(e.message),
    );
    return subscribe(
      '/ledger/stream',
      (type, data) => {
        if (type !== 'block') return;
        const b = data as Block;
        setBlocks((prev) => (prev.some((x) => x.block_number === b.block_number) ? prev : [b, ...prev].slice(0, 100)));
      },
      setLive,
    );
  }, []);
  useEffect(() => {
    if (!canProve(roles)) return;
    index<{ configBlocks: Array<{ block_number: string }> }>('/ledger/config-blocks').then(
      async (r) => {
        const out = [];
        for (const c of r.configBlocks.slice(-5)) {
          const raw = await gateway<{ raw: string }>(`/provenance/blocks/${c.block_number}/raw`);
          out.push({ block: c.block_number, msps: channelMsps(fromBase64(raw.raw)).map((m) => m.mspId) });
        }
        setMembers(out);
      },
      () => undefined,
    );
  }, []);

  return (
    <main id="main" aria-labelledby="ledger-title">
      <h2 id="ledger-title">Ledger</h2>
      <p aria-live="polite" data-testid="live">
        {live ? '● live: new blocks appear as they are indexed' : '○ connecting to the live stream…'}
      </p>
      {error && (
        <p role="alert" class="bad">
          {error}
        </p>
      )}
      {canProve(roles) && (
        <p>
          Pinned block for proofs:{' '}
          {pin ? (
            <>
              #{pin.number} <code>{pin.headerHash.slice(0, 16)}…</code>
            </>
          ) : (
            'none'
          )}{' '}
          <button type="button" onClick={() => pinNewest().then(setPin, (e: Error) => setError(e.message))}>
            Pin the newest block
          </button>
        </p>
      )}
      {members.length > 0 && (
        <section aria-labelledby="members-title">
          <h3 id="members-title">Members per config block</h3>
          <ul data-testid="members">
            {members.map((m) => (
              <li key={m.block}>
                block {m.block}: {m.msps.join(', ')}
              </li>
            ))}
          </ul>
        </section>
      )}
      <table data-testid="blocks">
        <caption>Newest blocks</caption>
        <thead>
          <tr>
            <th scope="col">Block</th>
            <th scope="col">Header hash</th>
            <th scope="col">Transactions (validation, creator, endorsers, function)</th>
          </tr>
        </thead>
        <tbody>
          {blocks.map((b) => (
            <tr key={b.block_number} data-block={b.block_number}>
              <td>{b.block_number}</td>
              <td>
                <code>{b.header_hash.slice(0, 16)}…</code>
              </td>
              <td>
                {b.transactions.map((t) => (
                  <div key={t.tx_id} data-tx={t.tx_id}>
                    <code>{t.tx_id.slice(0, 12)}…</code> <span class={t.validation_code === 'VALID' ? 'good' : 'bad'}>{t.validation_code}</span> {t.tx_type} by{' '}
                    {t.creator_msp}
                    {t.endorser_msps.length ? `, endorsed by ${t.endorser_msps.join(' + ')}` : ''} {t.fn ? `· ${t.fn}` : ''}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
