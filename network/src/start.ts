/**
 * `npm start`: brings the devnet up on embedded defaults with everything that
 * runs beside it (local PostgreSQL, a local Kafka broker when Java and Maven
 * are present, a local EVM chain with a test stablecoin, the indexer and one
 * gateway per organisation), prints what runs where, and on Ctrl-C (or
 * SIGTERM) stops everything it started.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import pino from 'pino';
import { devIssuerKeyFile } from '../../lib/platform/src';
import { loadGatewayConfig } from '../../gateway/src/config';
import { start as startGateway, type RunningGateway } from '../../gateway/src/main';
import { loadIndexerConfig } from '../../indexer/src/config';
import { createIndexer, type Indexer } from '../../indexer/src/main';
import { gatewayPort, indexerPort, loadDevnetConfig } from './config';
import { devnetLedgerEnv } from './connection-files';
import { devnetDown, devnetUp } from './devnet';
import { logDir } from './paths';
import { ensureDevChain } from './services/dev-chain';
import { kafkaSource } from './services/kafka-broker';
import { createPostgres, databaseSource } from './services/postgres';

async function main(): Promise<void> {
  const cfg = loadDevnetConfig();
  const log = (msg: string) => console.log(`[start] ${msg}`);
  const env: NodeJS.ProcessEnv = { ...process.env, FABRIC_PORT_BASE: String(cfg.portBase), FABRIC_RUN_DIR: cfg.runDir };
  // An identity provider named in the environment replaces the gateways' dev issuers (docs/sign-in.md).
  const realIssuer = Boolean(process.env.AUTH_JWKS_URL);
  const fileLogger = (name: string) =>
    pino(
      { level: process.env.LOG_LEVEL ?? 'info', base: { service: name } },
      pino.destination({ dest: path.join(logDir(cfg), `${name}.log`), mkdir: true, sync: false }),
    );

  let indexer: Indexer | undefined;
  const gateways: RunningGateway[] = [];
  let stopping = false;
  const stop = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    log(`${reason}: stopping`);
    for (const g of gateways) await g.stop().catch((e: unknown) => log(`gateway stop: ${String(e)}`));
    await indexer?.stop().catch((e: unknown) => log(`indexer stop: ${String(e)}`));
    await devnetDown(cfg, {}, log);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop('SIGINT', 0));
  process.on('SIGTERM', () => void stop('SIGTERM', 0));

  try {
    // Checked before anything starts, so a machine that cannot run the local server says so in one line.
    if (!process.env.DATABASE_URL) await createPostgres({ cfg, log }).prepare();
    const info = await devnetUp(cfg, log);
    log('starting the local EVM chain (anvil)');
    const chain = await ensureDevChain(cfg, log);
    // The services are handed their database and brokers as a deployment would hand them
    // theirs: local ones unless DATABASE_URL / KAFKA_BROKERS are set.
    const db = databaseSource({ cfg, databaseUrl: process.env.DATABASE_URL || undefined, log });
    await db.start();
    env.DATABASE_URL = db.connectionString;
    const kafka = await kafkaSource({ cfg, kafkaBrokers: process.env.KAFKA_BROKERS || undefined, log });
    if (kafka.available) {
      await kafka.start();
      env.KAFKA_BROKERS = kafka.brokers.join(',');
    } else {
      log(`no Kafka (${kafka.problem}): the indexer keeps committed facts in its outbox until KAFKA_BROKERS is set`);
      env.INDEXER_KAFKA = 'off';
    }
    for (const org of info.orgs) {
      log(`starting the ${org.mspId} gateway`);
      const gwEnv = {
        ...env,
        ...devnetLedgerEnv(info, org.mspId),
        GATEWAY_PORT: String(gatewayPort(cfg, org.mspId)),
        DEV_ISSUER_KEY_FILE: devIssuerKeyFile(cfg.portBase, org.mspId),
        // The console reads the indexer through each gateway; the indexer trusts the first gateway's dev issuer
        // (or, with AUTH_JWKS_URL, the same identity provider as the gateways).
        CONSOLE_INDEXER_URL: `http://127.0.0.1:${indexerPort(cfg)}`,
        ...(realIssuer ? {} : { CONSOLE_INDEXER_DEV_KEY_FILE: devIssuerKeyFile(cfg.portBase, info.orgs[0].mspId) }),
        // One base URL per organisation: the gateway forwards EPCIS queries to the indexer.
        EPCIS_QUERY_URL: process.env.EPCIS_QUERY_URL ?? `http://127.0.0.1:${indexerPort(cfg)}`,
        PAYMENTS_CHAINS_FILE: chain.chainsFile,
        PAYMENTS_RECHECK_MS: process.env.PAYMENTS_RECHECK_MS ?? '2000',
      };
      gateways.push(await startGateway(loadGatewayConfig(gwEnv), { logger: fileLogger(`gateway-${org.mspId}`) }));
    }
    // The query API verifies the same tokens as the retailer's gateway: its dev issuer, or the identity
    // provider AUTH_JWKS_URL names.
    const trusted = realIssuer
      ? { jwksUrl: process.env.AUTH_JWKS_URL!, issuer: process.env.AUTH_ISSUER ?? '' }
      : (JSON.parse(fs.readFileSync(devIssuerKeyFile(cfg.portBase, info.orgs[0].mspId), 'utf8')) as { issuer: string; jwksUrl: string });
    log('starting the indexer');
    const indexerEnv = {
      ...env,
      ...devnetLedgerEnv(info, 'AuditorMSP'),
      // The devnet's indexer is the auditor's: it publishes and serves every member's facts.
      INDEXER_OWNER_ROLE: 'auditor',
      INDEXER_HTTP_PORT: String(indexerPort(cfg)),
      AUTH_JWKS_URL: trusted.jwksUrl,
      AUTH_ISSUER: trusted.issuer,
    };
    indexer = createIndexer(loadIndexerConfig(indexerEnv), { log: fileLogger('indexer') });
    await indexer.start();

    console.log('\nRunning:');
    console.log(`  orderer0             ${info.orderer.endpoint} (TLS)`);
    for (const o of info.orgs) console.log(`  ${o.peerName.padEnd(32)} ${o.peerEndpoint} (TLS, ${o.mspId})`);
    console.log(`  chaincode            ${cfg.chaincode.address}:${cfg.chaincode.port} (${info.packageId})`);
    for (const [i, g] of gateways.entries()) console.log(`  gateway ${info.orgs[i].mspId.padEnd(12)} ${g.url}  (OpenAPI: ${g.url}/openapi.json)`);
    console.log(`  indexer query API    http://127.0.0.1:${indexer.httpPort()}`);
    console.log(`  EVM chain (anvil)    ${chain.anvil.rpcUrl}, chain 31337, ${chain.token.symbol} at ${chain.token.address}`);
    console.log(`  state and logs       ${cfg.runDir} (logs/)`);
    if (realIssuer) {
      console.log(`\nTokens come from ${process.env.AUTH_ISSUER}: sign in to the console at ${gateways[0]?.url}/console/`);
    } else {
      console.log('\nA first request (the dev issuer signs tokens for the devnet):');
      console.log(`  TOKEN=$(node dist/gateway/src/auth/mint-token.js --org RetailerMSP --role inventory-reader --sub alice)`);
      console.log(`  curl -H "Authorization: Bearer $TOKEN" ${gateways[0]?.url}/healthz`);
    }
    console.log('\nPress Ctrl-C to stop.');
    setInterval(() => undefined, 1 << 30);
  } catch (err) {
    log(`failed: ${err instanceof Error ? err.message : String(err)}`);
    await stop('start-up failed', 1);
  }
}

void main();
