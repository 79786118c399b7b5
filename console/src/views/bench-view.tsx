/** #/bench?n=1000: renders a synthetic genealogy and reports the time to first render (for the benchmark script). */
import { useEffect, useRef, useState } from 'preact/hooks';
import { genealogyGraph, syntheticGenealogy } from '../lib/genealogy';
import { pinNewest } from '../lib/pin';
import { renderGraph } from './genealogy-view';
import { proveInBrowser } from './proof-panel';

// The benchmark script drives proofs through the same code the views use.
(window as unknown as Record<string, unknown>).__consoleBench = { pinNewest, proveInBrowser };

export function BenchView() {
  const ref = useRef<HTMLDivElement>(null);
  const [out, setOut] = useState<string>();
  useEffect(() => {
    const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
    const n = Number(params.get('n') ?? 1000);
    const t0 = performance.now();
    const graph = genealogyGraph(syntheticGenealogy(n));
    void renderGraph(ref.current!, graph).then(({ ms, layoutMs }) =>
      setOut(JSON.stringify({ nodes: graph.nodes.length, edges: graph.edges.length, layoutMs, renderMs: ms, totalMs: performance.now() - t0 })),
    );
  }, []);
  return (
    <main id="main">
      <div ref={ref} class="graph" role="img" aria-label="benchmark graph" />
      {out && <pre data-testid="bench">{out}</pre>}
    </main>
  );
}
