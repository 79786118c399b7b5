/**
 * Prometheus metrics of one gateway, in its own registry (no global default
 * registry, so several gateways can live in one process in tests).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface GatewayMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  submissions: Counter<'fn' | 'mode' | 'outcome'>;
  submitDuration: Histogram<'fn'>;
  queue: Gauge<'status'>;
}

export function createMetrics(opts: { defaultMetrics?: boolean; labels?: Record<string, string> } = {}): GatewayMetrics {
  const registry = new Registry();
  if (opts.labels) registry.setDefaultLabels(opts.labels);
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
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
