/**
 * Usage and options of the operator commands of operations-cli.ts, apart from
 * their implementation: `network`'s command line parses them before it loads
 * any module that loads the Fabric SDKs.
 */
export const OPERATIONS_USAGE =
  '       network snapshot --org NAME [--block N]\n' +
  '       network join-from-snapshot --org NAME [--snapshot DIR]\n' +
  '       network backup [--to DIR] [--database-url URL] [--schemas gateway,indexer]\n' +
  '       network restore --from DIR [--database-url URL] [--schemas gateway,indexer] [--drop-existing]';

/** Options of these commands, as parseArgs declares them. */
export const OPERATIONS_OPTIONS = {
  org: { type: 'string' },
  block: { type: 'string' },
  snapshot: { type: 'string' },
  to: { type: 'string' },
  from: { type: 'string' },
  'database-url': { type: 'string' },
  schemas: { type: 'string' },
  'drop-existing': { type: 'boolean', default: false },
} as const;
