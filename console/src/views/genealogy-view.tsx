/** The genealogy graph (cytoscape, dagre layout), with the same nodes as a keyboard-usable list. */
import cytoscape from 'cytoscape';
import dagre from 'cytoscape-dagre';
import { useEffect, useRef } from 'preact/hooks';
import type { GEdge, GNode } from '../lib/genealogy';

cytoscape.use(dagre);

const COLORS: Record<string, string> = { 'origin-lot': '#1b5e20', lot: '#6d4c41', location: '#0d47a1', farm: '#2e7d32' };

/** Above this many nodes the view skips drawing edges while panning and labels too small to read. */
export const LARGE_GRAPH_NODES = 300;

/** Renders the graph into `el`; resolves after the first frame is drawn, with the elapsed milliseconds. */
export function renderGraph(
  el: HTMLElement,
  graph: { nodes: GNode[]; edges: GEdge[] },
  onSelect?: (item: GNode | GEdge) => void,
): Promise<{ cy: cytoscape.Core; ms: number; layoutMs: number }> {
  const t0 = performance.now();
  const cy = cytoscape({
    container: el,
    elements: [
      ...graph.nodes.map((n) => ({ data: { id: n.id, label: n.label, kind: n.kind } })),
      ...graph.edges.map((e) => ({ data: { id: e.id, source: e.source, target: e.target, label: e.label, kind: e.kind } })),
    ],
    style: [
      {
        selector: 'node',
        style: {
          label: 'data(label)',
          'text-wrap': 'wrap',
          'font-size': 10,
          color: '#111',
          'text-valign': 'bottom',
          'text-margin-y': 4,
          width: 22,
          height: 22,
          'min-zoomed-font-size': 7,
        },
      },
      ...Object.entries(COLORS).map(([k, c]) => ({
        selector: `node[kind = "${k}"]`,
        style: { 'background-color': c, shape: (k.includes('lot') ? 'round-rectangle' : 'ellipse') as cytoscape.Css.NodeShape },
      })),
      {
        selector: 'edge',
        style: {
          width: 1.5,
          'curve-style': 'bezier',
          'target-arrow-shape': 'triangle',
          'line-color': '#777',
          'target-arrow-color': '#777',
          label: 'data(label)',
          'font-size': 8,
          'text-rotation': 'autorotate',
          color: '#333',
          'min-zoomed-font-size': 7,
        },
      },
      { selector: 'edge[kind = "shipment"]', style: { 'line-style': 'dashed', 'line-color': '#0d47a1', 'target-arrow-color': '#0d47a1' } },
      { selector: ':selected', style: { 'border-width': 3, 'border-color': '#ff6f00', 'line-color': '#ff6f00' } },
    ],
    layout: { name: 'dagre', rankDir: 'LR', nodeSep: 20, rankSep: 80 } as cytoscape.LayoutOptions,
    wheelSensitivity: 0.3,
    // Labels too small to read at the fitted zoom are not drawn (a large genealogy opens zoomed out).
    hideEdgesOnViewport: graph.nodes.length > LARGE_GRAPH_NODES,
  });
  const layoutMs = performance.now() - t0;
  const byId = new Map<string, GNode | GEdge>([...graph.nodes, ...graph.edges].map((x) => [x.id, x]));
  cy.on('tap', 'node, edge', (evt) => {
    const item = byId.get(evt.target.id());
    if (item && onSelect) onSelect(item);
  });
  return new Promise((resolve) => {
    cy.one('render', () => requestAnimationFrame(() => resolve({ cy, ms: performance.now() - t0, layoutMs })));
    // An empty graph never renders: resolve anyway.
    if (graph.nodes.length === 0) resolve({ cy, ms: performance.now() - t0, layoutMs });
  });
}

export function GenealogyView({ graph, onSelect }: { graph: { nodes: GNode[]; edges: GEdge[] }; onSelect: (item: GNode | GEdge) => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let cy: cytoscape.Core | undefined;
    void renderGraph(ref.current!, graph, onSelect).then((r) => (cy = r.cy));
    return () => cy?.destroy();
  }, [graph]);
  return (
    <div class="genealogy">
      <div
        ref={ref}
        class="graph"
        role="img"
        aria-label={`Genealogy graph: ${graph.nodes.length} lots and locations, ${graph.edges.length} links. The lists below hold the same information.`}
        data-testid="graph"
      />
      <div class="graph-lists">
        <h3>Lots and locations</h3>
        <ul data-testid="nodes">
          {graph.nodes.map((n) => (
            <li key={n.id} data-kind={n.kind}>
              <button type="button" class="link" onClick={() => onSelect(n)}>
                {n.label.replace('\n', ' · ')}
              </button>{' '}
              <span class="muted">{n.detail}</span>
            </li>
          ))}
        </ul>
        <h3>Transformations, holdings and custody handoffs</h3>
        <ul data-testid="edges">
          {graph.edges.map((e) => (
            <li key={e.id} data-kind={e.kind}>
              <button type="button" class="link" onClick={() => onSelect(e)}>
                {e.label}
              </button>{' '}
              <span class="muted">
                {graph.nodes.find((n) => n.id === e.source)?.label.replace('\n', ' ')} → {graph.nodes.find((n) => n.id === e.target)?.label.replace('\n', ' ')}
              </span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
