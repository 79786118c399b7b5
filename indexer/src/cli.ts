/**
 * `indexer run | migrate | rebuild | verify`.
 *
 *   run      index blocks, publish the outbox, serve the query API; SIGTERM drains and exits,
 *            SIGHUP reloads the HTTPS certificate and the Fabric identity
 *   migrate  apply pending migrations to INDEXER_SCHEMA and exit
 *   rebuild  replay from block 0 into a fresh schema and compare with the live one (exit 1 on a difference)
 *   verify   compare PostgreSQL with world state and the stored hash chain (exit 1 on a difference)
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { envString, requireDatabaseUrl } from '../../lib/platform/src';
import { checkSchemaName, loadIndexerConfig } from './config';
import { migrate } from './db/migrate';
import { createPool } from './db/pool';
import { createIndexer } from './main';
import { runRebuild } from './ops/rebuild';
import { runVerify } from './ops/verify';

const USAGE = 'usage: indexer <run|migrate|rebuild|verify> [--target-schema NAME]';

/** The configuration of `rebuild` and `verify`: they publish nothing, so no Kafka setting is asked for. */
const offline = () => loadIndexerConfig({ ...process.env, INDEXER_KAFKA: 'off' });

async function run(): Promise<number> {
  const config = loadIndexerConfig();
  const log = pino({ name: 'indexer', level: config.logLevel });
  const indexer = createIndexer(config, { log });
  let stopping: Promise<void> | undefined;
  const shutdown = (signal: string) => {
    log.info({ signal }, 'stopping: draining blocks in progress and the outbox');
    stopping ??= indexer.stop();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Renewed certificates: logged by reload; what failed keeps its previous state.
  process.on('SIGHUP', () => void indexer.reload().catch(() => undefined));
  await indexer.start();
  try {
    await indexer.done;
  } catch {
    await indexer.stop();
    return 1;
  }
  await stopping;
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'target-schema': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  switch (command) {
    case 'run':
      return run();
    case 'migrate': {
      // Only the database: migrating needs no ledger, Kafka or token settings.
      const databaseUrl = requireDatabaseUrl(process.env);
      const schema = checkSchemaName(envString(process.env, 'INDEXER_SCHEMA', 'indexer'));
      const pool = createPool({ connectionString: databaseUrl, schema });
      try {
        console.log(`applied: ${(await migrate(pool, schema)).join(', ') || 'nothing'}`);
      } finally {
        await pool.end();
      }
      return 0;
    }
    case 'rebuild':
      return (await runRebuild(offline(), { targetSchema: values['target-schema'], out: console.log })).equal ? 0 : 1;
    case 'verify':
      return (await runVerify(offline(), { out: console.log })).ok ? 0 : 1;
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`indexer: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
