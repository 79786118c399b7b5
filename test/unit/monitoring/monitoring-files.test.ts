import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import type { Registry } from 'prom-client';
import { createMetrics } from '../../../gateway/src/http/metrics';
import { createIndexerMetrics } from '../../../indexer/src/query/metrics';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const DIR = path.join(ROOT, 'ops', 'monitoring');
const ALERTS = path.join(DIR, 'alerts.yml');
const DASHBOARD = path.join(DIR, 'grafana-dashboard.json');
const DOC = path.join(ROOT, 'docs', 'monitoring.md');
const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';

/** Every series name a registry exports: histograms add _bucket, _sum and _count. */
async function seriesNames(registry: Registry): Promise<Set<string>> {
  const names = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${m.name}${s}`);
  }
  return names;
}

/** The metrics both services export, from their own metric modules (as /metrics serves them). */
async function exportedMetrics(): Promise<{ gateway: Set<string>; indexer: Set<string> }> {
  const ledger = {
    commitListeners: () => ({ peers: [{ name: 'peer0:7051', mspId: 'AMSP', listening: true }], graceExpired: 0 }),
    certificates: () => [],
  };
  const gateway = await seriesNames(createMetrics({ labels: { msp: 'AMSP' }, ledger }).registry);
  const indexer = await seriesNames(createIndexerMetrics({ defaultMetrics: true, pendingOutbox: async () => 0, certificates: () => [] }).registry);
  return { gateway, indexer };
}

const FUNCTIONS_AND_KEYWORDS = new Set(
  (
    'sum min max avg count stddev stdvar topk bottomk quantile count_values group by without on ignoring group_left group_right ' +
    'and or unless bool offset rate irate increase delta idelta deriv changes resets histogram_quantile abs ceil floor round ' +
    'clamp clamp_min clamp_max absent absent_over_time avg_over_time min_over_time max_over_time sum_over_time count_over_time ' +
    'last_over_time label_replace label_join time timestamp vector scalar predict_linear sort sort_desc inf nan'
  ).split(' '),
);

/**
 * The metric names a PromQL expression reads: identifiers left once strings, label matchers ({…}),
 * ranges ([…]), grouping clauses (by/on/… (…)), numbers and the language's own words are taken out.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = m[0];
    const rest = stripped.slice((m.index ?? 0) + word.length);
    if (/^\s*\(/.test(rest)) continue; // a function call
    if (FUNCTIONS_AND_KEYWORDS.has(word.toLowerCase())) continue;
    if (/^\d/.test(word) || /^[0-9.]+[smhdwy]$/.test(word)) continue;
    names.add(word);
  }
  return [...names];
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
}

describe('monitoring: alert rules and dashboard', () => {
  it('reads the metric names of an expression, not its functions, labels or durations', () => {
    expect(
      metricNames('sum by (msp) (rate(gateway_http_requests_total{status=~"5.."}[5m])) / sum by (msp) (rate(gateway_http_requests_total[5m])) > 0.05'),
    ).to.deep.equal(['gateway_http_requests_total']);
    expect(metricNames('max(delta(a_height[15m])) == 0 and on() sum(increase(b_total[15m])) > 0')).to.deep.equal(['a_height', 'b_total']);
    expect(metricNames('histogram_quantile(0.5, sum by (le) (rate(x_seconds_bucket[5m])))')).to.deep.equal(['x_seconds_bucket']);
    expect(metricNames('gateway_certificate_expiry_seconds < 30 * 86400')).to.deep.equal(['gateway_certificate_expiry_seconds']);
  });

  it('passes promtool check rules', () => {
    const out = execFileSync(PROMTOOL, ['check', 'rules', ALERTS], { encoding: 'utf8' });
    expect(out).to.match(/SUCCESS: \d+ rules found/);
  });

  it('alerts on what the operations page promises, each on metrics the services export', async () => {
    const doc = YAML.parse(fs.readFileSync(ALERTS, 'utf8')) as { groups: { name: string; rules: Rule[] }[] };
    const rules = doc.groups.flatMap((g) => g.rules);
    const alerts = rules.map((r) => r.alert);
    for (const name of [
      'LedgerHeightNotMoving',
      'IndexerLagging',
      'OutboxPending',
      'KafkaRelayFailing',
      'SubscriptionDeliveriesFailing',
      'GatewayServerErrors',
      'GatewayCertificateExpiresSoon',
      'IndexerCertificateExpiresSoon',
    ])
      expect(alerts, name).to.include(name);
    const { gateway, indexer } = await exportedMetrics();
    for (const r of rules) {
      const names = metricNames(r.expr);
      expect(names, `${r.alert} names no metric`).to.not.be.empty;
      for (const n of names) expect(gateway.has(n) || indexer.has(n), `${r.alert}: ${n} is not exported by the gateway or the indexer`).to.equal(true);
    }
  });

  it('has a dashboard whose every query names only exported metrics', async () => {
    const dash = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as {
      uid: string;
      panels: { id: number; title: string; targets: { expr: string; refId: string }[] }[];
    };
    expect(dash.uid).to.be.a('string');
    expect(new Set(dash.panels.map((p) => p.id)).size, 'panel ids are unique').to.equal(dash.panels.length);
    const { gateway, indexer } = await exportedMetrics();
    const used = new Set<string>();
    for (const p of dash.panels) {
      expect(p.targets, p.title).to.not.be.empty;
      for (const t of p.targets) {
        const names = metricNames(t.expr);
        expect(names, `${p.title} ${t.refId} names no metric`).to.not.be.empty;
        for (const n of names) {
          expect(gateway.has(n) || indexer.has(n), `${p.title}: ${n} is not exported`).to.equal(true);
          used.add(n);
        }
      }
    }
    // The dashboard shows the alerts' subjects too.
    for (const n of [
      'indexer_channel_height',
      'indexer_lag_blocks',
      'indexer_outbox_pending',
      'gateway_http_requests_total',
      'gateway_certificate_expiry_seconds',
    ])
      expect(used, n).to.include(n);
  });

  it('documents every metric the services export (besides the default process metrics)', async () => {
    const doc = fs.readFileSync(DOC, 'utf8');
    const { gateway, indexer } = await exportedMetrics();
    const own = [...gateway, ...indexer].filter(
      (n) => /^(gateway|indexer)_/.test(n) && !/_(bucket|sum|count)$/.test(n) && !/^indexer_(process|nodejs)_/.test(n),
    );
    for (const n of own) expect(doc, `docs/monitoring.md names ${n}`).to.include(`\`${n}\``);
  });
});
