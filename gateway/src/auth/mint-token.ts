#!/usr/bin/env node
/**
 * Prints a token from a running gateway's dev issuer, naming the organisation (--org, the `org` claim):
 *   node dist/gateway/src/auth/mint-token.js --role supplier [--role admin] [--sub alice] [--org SupplierMSP] [--ttl 3600] [--key-file F]
 */
import * as fs from 'node:fs';
import { type DevIssuerKeyFile, devIssuerKeyFile, mintWithKey } from '../../../lib/platform/src';
import { isRole, ROLES, type Role } from '../../../lib/domain/src';

function usage(msg: string): never {
  process.stderr.write(`${msg}\nusage: mint-token --role <${ROLES.join('|')}> [--role …] [--sub NAME] [--org MSP] [--ttl SECONDS] [--key-file FILE]\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const roles: Role[] = [];
  let sub = 'dev-user';
  let org = process.env.FABRIC_MSP_ID || 'SupplierMSP';
  let ttl = 3600;
  let keyFile: string | undefined = process.env.DEV_ISSUER_KEY_FILE || undefined;
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--role':
        if (!isRole(v)) usage(`unknown role "${v}"`);
        roles.push(v);
        i++;
        break;
      case '--sub':
        sub = v ?? usage('--sub needs a value');
        i++;
        break;
      case '--org':
        org = v ?? usage('--org needs a value');
        i++;
        break;
      case '--ttl':
        ttl = Number(v);
        if (!Number.isInteger(ttl) || ttl < 1) usage('--ttl must be a positive integer');
        i++;
        break;
      case '--key-file':
        keyFile = v;
        i++;
        break;
      default:
        usage(`unknown argument ${argv[i]}`);
    }
  }
  if (roles.length === 0) usage('at least one --role is required');
  const file = keyFile ?? devIssuerKeyFile(Number(process.env.FABRIC_PORT_BASE || 7000), org);
  if (!fs.existsSync(file)) usage(`no dev issuer key at ${file}: start the gateway for ${org} first (it writes the key there)`);
  const key = JSON.parse(fs.readFileSync(file, 'utf8')) as DevIssuerKeyFile;
  process.stdout.write(`${await mintWithKey(key, { sub, roles, org, ttlSec: ttl })}\n`);
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`mint-token: ${(err as Error).message}\n`);
  process.exit(1);
});
