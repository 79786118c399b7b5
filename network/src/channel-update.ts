/**
 * Channel configuration updates the way Fabric's docs do them: fetch the
 * current config block, decode it with configtxlator, change the JSON, let
 * configtxlator compute the delta (read and write sets with versions), wrap it
 * in an envelope, collect enough admin signatures for the modified element's
 * policy, and submit it to the ordering service.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ordererArgs, peerAdmin } from './admin-cli';
import type { DevnetConfig, PeerOrg } from './config';
import { runCommand } from './run-command';

type Json = Record<string, any>;

function configtxlator(cfg: DevnetConfig, args: string[], step: string): Promise<string> {
  return runCommand(path.join(cfg.binDir, 'configtxlator'), args, { step });
}

/** Fetches the channel's latest config block as `admin`; returns its number and decoded config. */
export async function fetchChannelConfig(cfg: DevnetConfig, admin: PeerOrg, workDir: string): Promise<{ number: number; config: Json }> {
  fs.mkdirSync(workDir, { recursive: true });
  const blockFile = path.join(workDir, 'config_block.pb');
  await peerAdmin(cfg, admin, ['channel', 'fetch', 'config', blockFile, '-c', cfg.channel, ...ordererArgs(cfg)], 'fetch the channel config block');
  const jsonFile = path.join(workDir, 'config_block.json');
  await configtxlator(cfg, ['proto_decode', '--input', blockFile, '--type', 'common.Block', '--output', jsonFile], 'decode the config block');
  const block = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as Json;
  return { number: Number(block.header.number), config: block.data.data[0].payload.data.config as Json };
}

/**
 * Computes the update from `original` to `updated` and returns the path of an
 * unsigned envelope (common.Envelope of type CONFIG_UPDATE) ready for signing.
 */
export async function configUpdateEnvelope(cfg: DevnetConfig, original: Json, updated: Json, workDir: string): Promise<string> {
  const file = (name: string) => path.join(workDir, name);
  fs.writeFileSync(file('original.json'), JSON.stringify(original));
  fs.writeFileSync(file('updated.json'), JSON.stringify(updated));
  for (const n of ['original', 'updated']) {
    await configtxlator(cfg, ['proto_encode', '--input', file(`${n}.json`), '--type', 'common.Config', '--output', file(`${n}.pb`)], `encode the ${n} config`);
  }
  await configtxlator(
    cfg,
    ['compute_update', '--channel_id', cfg.channel, '--original', file('original.pb'), '--updated', file('updated.pb'), '--output', file('update.pb')],
    'compute the config update',
  );
  await configtxlator(
    cfg,
    ['proto_decode', '--input', file('update.pb'), '--type', 'common.ConfigUpdate', '--output', file('update.json')],
    'decode the config update',
  );
  const update = JSON.parse(fs.readFileSync(file('update.json'), 'utf8')) as Json;
  const envelope = { payload: { header: { channel_header: { channel_id: cfg.channel, type: 2 } }, data: { config_update: update } } };
  fs.writeFileSync(file('envelope.json'), JSON.stringify(envelope));
  await configtxlator(
    cfg,
    ['proto_encode', '--input', file('envelope.json'), '--type', 'common.Envelope', '--output', file('envelope.pb')],
    'encode the update envelope',
  );
  return file('envelope.pb');
}

/** How many admins satisfy an ImplicitMeta MAJORITY over `n` organisations. */
export const majorityOf = (n: number) => Math.floor(n / 2) + 1;

/**
 * Signs the envelope with the admins of `signers` and submits it with the
 * last one's admin (`peer channel update` adds that signature itself).
 */
export async function signAndSubmit(cfg: DevnetConfig, envelope: string, signers: PeerOrg[], log: (m: string) => void): Promise<void> {
  if (signers.length === 0) throw new Error('a channel config update needs at least one admin signature');
  for (const org of signers.slice(0, -1)) {
    await peerAdmin(cfg, org, ['channel', 'signconfigtx', '-f', envelope], `sign the config update as ${org.mspId} admin`);
    log(`config update signed by ${org.mspId} admin`);
  }
  const last = signers[signers.length - 1];
  await peerAdmin(cfg, last, ['channel', 'update', '-f', envelope, '-c', cfg.channel, ...ordererArgs(cfg)], `submit the config update as ${last.mspId} admin`);
  log(`config update signed and submitted by ${last.mspId} admin`);
}
