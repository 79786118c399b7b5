/** One transaction's proof, fetched raw and checked in this browser; every check listed. */
import { useEffect, useState } from 'preact/hooks';
import { gateway } from '../lib/api';
import { loadPin, pinNewest } from '../lib/pin';
import { verifyProof, type ProofResult, type RawProofBundle } from '../proof/verify';

export async function proveInBrowser(txId: string): Promise<ProofResult> {
  const pin = loadPin();
  const bundle = await gateway<RawProofBundle>(`/provenance/transactions/${txId}/raw${pin ? `?pinned=${pin.number}` : ''}`);
  return verifyProof(bundle, pin);
}

export function ProofPanel({ txId }: { txId: string }) {
  const [result, setResult] = useState<ProofResult>();
  const [error, setError] = useState<string>();
  const [pin, setPin] = useState(loadPin());
  const run = () => {
    // A proof started before the pin changed may finish after the one started for the new pin: only the
    // latest run may show its result.
    let current = true;
    setResult(undefined);
    setError(undefined);
    proveInBrowser(txId).then(
      (r) => current && setResult(r),
      (e: Error) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  };
  useEffect(run, [txId, pin?.number]);
  return (
    <section class="proof" aria-labelledby={`proof-${txId}`} data-testid="proof">
      <h3 id={`proof-${txId}`}>
        Proof of transaction <code class="txid">{txId}</code>
      </h3>
      <p>
        Pinned block:{' '}
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
      {error && (
        <p role="alert" class="bad">
          {error}
        </p>
      )}
      {!result && !error && <p aria-live="polite">Verifying in this browser…</p>}
      {result && (
        <>
          <p aria-live="polite" class={result.ok ? 'good' : 'bad'} data-testid="proof-verdict">
            {result.ok ? 'Every check passed' : `${result.checks.filter((c) => !c.ok).length} check(s) failed`} — block {result.blockNumber}, verified in{' '}
            {result.ms.toFixed(1)} ms with WebCrypto
          </p>
          <table>
            <caption class="sr-only">Proof checks</caption>
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Result</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {result.checks.map((c) => (
                <tr key={c.id} data-check={c.id} data-ok={String(c.ok)}>
                  <td>{c.label}</td>
                  <td class={c.ok ? 'good' : 'bad'}>{c.ok ? '✔ pass' : '✘ FAIL'}</td>
                  <td>{c.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {result.envelope && (
            <details>
              <summary>Signers and certificates</summary>
              <ul>
                <li>
                  Creator {result.envelope.creator.mspId}, {result.envelope.timestamp.toISOString()}
                  <pre>{result.envelope.creator.certPem}</pre>
                </li>
                {result.envelope.endorsements.map((e, i) => (
                  <li key={i}>
                    Endorser {e.identity.mspId}
                    <pre>{e.identity.certPem}</pre>
                  </li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}
    </section>
  );
}
