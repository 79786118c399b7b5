/**
 * `npm start`: brings the devnet up on embedded defaults, starts the services
 * that run beside it, prints what runs where, and on Ctrl-C (or SIGTERM)
 * stops everything it started.
 */
import { loadDevnetConfig } from './config';
import { devnetDown, devnetUp } from './devnet';

async function main(): Promise<void> {
  const cfg = loadDevnetConfig();
  const log = (msg: string) => console.log(`[start] ${msg}`);
  const info = await devnetUp(cfg, log);

  console.log('\nRunning:');
  console.log(`  orderer0           ${info.orderer.endpoint} (TLS)`);
  for (const o of info.orgs) console.log(`  ${o.peerName.padEnd(34)} ${o.peerEndpoint} (TLS)  ${o.mspId}`);
  console.log(`  chaincode          localhost:${cfg.chaincode.port} (${info.packageId})`);
  console.log(`  channel            ${info.channel}`);
  console.log(`  state and logs     ${cfg.runDir}`);
  console.log('\nPress Ctrl-C to stop.');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    await devnetDown(cfg, {}, log);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // Keep the process alive until a signal arrives.
  setInterval(() => undefined, 1 << 30);
}

main().catch((err: unknown) => {
  console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
