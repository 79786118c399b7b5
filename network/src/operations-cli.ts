/**
 * The operator commands of `network` beyond up/down/status/add-org:
 *
 *   network snapshot --org NAME [--block N]
 *   network join-from-snapshot --org NAME [--snapshot DIR]
 *   network backup [--to DIR] [--database-url URL] [--schemas gateway,indexer]
 *   network restore --from DIR [--database-url URL] [--schemas ...] [--drop-existing]
 */
import { backupCommand, restoreCommand } from './backup-cli';
import type { DevnetConfig } from './config';
import { joinFromSnapshot, takeSnapshot } from './ledger-snapshot';

export { OPERATIONS_OPTIONS, OPERATIONS_USAGE } from './operations-options';

type Values = Record<string, string | boolean | string[] | undefined>;

function needOrg(values: Values, command: string): string {
  if (typeof values.org !== 'string' || !values.org) throw new Error(`${command} needs --org NAME (e.g. --org supplier)`);
  return values.org;
}

const schemasOf = (values: Values) =>
  typeof values.schemas === 'string'
    ? values.schemas
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;

const databaseUrlOf = (values: Values) => (typeof values['database-url'] === 'string' ? values['database-url'] : process.env.DATABASE_URL || undefined);

/** Runs one of these commands; returns the exit code. */
export async function runOperation(
  command: 'snapshot' | 'join-from-snapshot' | 'backup' | 'restore',
  cfg: DevnetConfig,
  values: Values,
  log: (msg: string) => void,
): Promise<number> {
  switch (command) {
    case 'snapshot': {
      let block: number | undefined;
      if (values.block !== undefined) {
        block = Number(values.block);
        if (!Number.isInteger(block) || block < 1) throw new Error(`--block must be a block number of at least 1, got "${String(values.block)}"`);
      }
      const snap = await takeSnapshot(cfg, needOrg(values, command), { block, log });
      console.log(`\nsnapshot of block ${snap.block}: ${snap.dir}`);
      return 0;
    }
    case 'join-from-snapshot': {
      const r = await joinFromSnapshot(cfg, needOrg(values, command), { snapshotDir: typeof values.snapshot === 'string' ? values.snapshot : undefined, log });
      console.log(`\n${r.peer.peerHost} joined ${cfg.channel} from the snapshot of block ${r.snapshot.block} in ${(r.elapsedMs / 1000).toFixed(1)} s`);
      console.log(`peer ${r.peer.address}:${r.peer.peerPort}, height ${r.height}, first block ${r.snapshot.block + 1}`);
      console.log(`connection files naming it: ${r.connectionDir}/`);
      return 0;
    }
    case 'backup': {
      const dir = await backupCommand(
        cfg,
        { to: typeof values.to === 'string' ? values.to : undefined, databaseUrl: databaseUrlOf(values), schemas: schemasOf(values) },
        log,
      );
      console.log(`\nbackup: ${dir}`);
      return 0;
    }
    case 'restore': {
      if (typeof values.from !== 'string') throw new Error('restore needs --from DIR, a folder written by "network backup"');
      const restored = await restoreCommand(
        cfg,
        { from: values.from, databaseUrl: databaseUrlOf(values), schemas: schemasOf(values), dropExisting: values['drop-existing'] === true },
        log,
      );
      console.log(`\nrestored ${restored.join(', ')}`);
      return 0;
    }
  }
}
