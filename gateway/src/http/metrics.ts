/**
 * Prometheus metrics of one gateway, in its own registry (no global default
 * registry, so several gateways can live in one process in tests). The names
 * are listed in docs/monitoring.md and used by ops/monitoring's alerts and
 * dashboard; a unit test keeps the three in step.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { secondsUntilExpiry, type LedgerClient } from '../../../lib/fabric/src';

export interface GatewayMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  submissions: Counter<'fn' | 'mode' | 'outcome'>;
  submitDuration: Histogram<'fn'>;
  queue: Gauge<'status'>;
}

export interface MetricsOptions {
  defaultMetrics?: boolean;
  labels?: Record<string, string>;
  /** Read at each scrape: the peers' commit streams and the certificates the client presents. */
  ledger?: Pick<LedgerClient, 'commitListeners' | 'certificates'>;
}

export function createMetrics(opts: MetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  if (opts.labels) registry.setDefaultLabels(opts.labels);
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const ledger = opts.ledger;
  if (ledger) {
    new Gauge({
      name: 'gateway_certificate_expiry_seconds',
      help: 'Seconds until a certificate the gateway presents to Fabric expires (kind: identity, client_tls)',
      labelNames: ['kind'],
      registers,
      collect() {
        this.reset();
        for (const c of ledger.certificates()) this.set({ kind: c.kind }, secondsUntilExpiry(c));
      },
    });
    new Gauge({
      name: 'gateway_peer_commit_stream_up',
      help: 'Whether the commit event stream to a channel peer runs (1) or is reconnecting (0)',
      labelNames: ['peer', 'peer_msp'],
      registers,
      collect() {
        this.reset();
        for (const p of ledger.commitListeners().peers) this.set({ peer: p.name, peer_msp: p.mspId }, p.listening ? 1 : 0);
      },
    });
    new Counter({
      name: 'gateway_commit_grace_expired_total',
      help: "Submissions that waited out the grace period for other organisations' peers to report the commit",
      registers,
      collect() {
        this.reset();
        this.inc(ledger.commitListeners().graceExpired);
      },
    });
  }
  return {
    registry,
    httpRequests: new Counter({
      name: 'gateway_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'gateway_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    submissions: new Counter({
      name: 'gateway_ledger_submissions_total',
      help: 'Ledger submissions by function, mode and outcome',
      labelNames: ['fn', 'mode', 'outcome'],
      registers,
    }),
    submitDuration: new Histogram({
      name: 'gateway_ledger_submit_duration_seconds',
      help: 'Time from submit to commit',
      labelNames: ['fn'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    }),
    queue: new Gauge({ name: 'gateway_async_submissions', help: 'Async submissions by status', labelNames: ['status'], registers }),
  };
}
