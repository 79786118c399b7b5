#!/usr/bin/env node
/**
 * Wiring of one organisation's gateway: configuration, logger, the org's
 * ledger connection (connection profile and identity), PostgreSQL, token
 * verification (a JWKS URL, or the built-in dev issuer), HTTP. SIGTERM and
 * SIGINT stop it in order: HTTP stops accepting, in-flight submissions
 * finish, the worker stops, then ledger and database connections close.
 *
 *   FABRIC_CONNECTION_PROFILE=... FABRIC_CERT_FILE=... FABRIC_KEY_FILE=... FABRIC_CHANNEL=supplychain \
 *   DATABASE_URL=postgres://... node dist/gateway/src/main.js
 */
import * as path from 'node:path';
import pino, { type Logger } from 'pino';
import { bindToOrganisation, createDevIssuer, createJwtVerifier, type DevIssuer, isConfigError, withRetry } from '../../lib/platform/src';
import { loadGatewayConfig, type GatewayConfig } from './config';
import { createGateway, type Gateway, type RouteFactory } from './gateway';
import { connectReloadingLedger, setSdkLogger, type LedgerClient, type ReloadingLedgerClient } from '../../lib/fabric/src';
import type { Pool } from 'pg';
import { createGatewayPool, migrateGateway } from './db';
import { createPgSubmissionStore } from './submission/pg-store';
import type { SubmissionStore } from './submission/store';
import { posRoutes } from './adapters/pos/pos-routes';
import { createPgProofStore, type ProofStore } from './adapters/pos/proof-store';
import { createPgUnbookedStore, type UnbookedStore } from './adapters/pos/unbooked-store';
import { createPosRollup, type PosRollup } from './adapters/pos/pos-rollup';
import { createPgRollupStore, type RollupStore } from './adapters/pos/rollup-store';
import { sapRoutes } from './adapters/sap/sap-routes';
import type { CaptureStore } from './adapters/epcis/capture-store';
import { createEpcisCapture, type EpcisCapture } from './adapters/epcis/epcis-routes';
import { createPgCaptureStore } from './adapters/epcis/pg-capture-store';
import { createMappingStore, mappingsAdminRoutes, type MappingStore } from './adapters/mappings-store';
import { epcisQueryProxy } from './adapters/epcis/epcis-query-proxy';
import { epcisStreamUpgrade } from './adapters/epcis/epcis-stream-proxy';
import { createChainRegistry, type ChainRegistry } from './payments/chain-registry';
import { createPgClaimStore, type ClaimStore } from './payments/claim-store';
import { paymentsRoutes } from './payments/payments-routes';
import { createPaymentsService, type PaymentsService } from './payments/payments-service';
import { createPaymentVerifier } from './payments/verifier';
import { createTermsPurger, type TermsPurger } from './payments/terms-purger';
import { createEndorsementResolver } from './submission/endorsement';
import { provenanceRoutes } from './http/provenance-routes';
import { mountConsole } from './console/console-routes';

export interface RunningGateway {
  url: string;
  gateway: Gateway;
  /** Present when the built-in dev issuer is used. */
  devIssuer?: DevIssuer;
  /** The adapters' code mappings; `reload` re-reads them (SIGHUP does the same). */
  mappings: MappingStore;
  /**
   * What SIGHUP does: re-reads the adapters' mappings, the HTTPS certificate and key, and the Fabric
   * identity and client TLS files. New submissions use the renewed identity; those under way finish
   * on the connection they started on. A part that fails to reload keeps its previous state and is
   * named in the error.
   */
  reload(reason: string): Promise<void>;
  stop(): Promise<void>;
}

/** The peers may still be starting: an unreachable ledger is waited for, about a minute; a wrong setting does not fix itself. */
function connectWithRetry<T extends LedgerClient>(connect: () => Promise<T>, log: Logger): Promise<T> {
  return withRetry(connect, {
    attempts: 30,
    baseDelayMs: 2000,
    maxDelayMs: 2000,
    retriable: (err) => !isConfigError(err),
    onRetry: (err, attempt) => log.warn({ err: (err as Error).message, attempt }, 'ledger not reachable yet, retrying'),
  });
}

/** Starts a gateway from a configuration. */
export async function start(cfg: GatewayConfig, opts: { logger?: Logger; extraRoutes?: RouteFactory[] } = {}): Promise<RunningGateway> {
  const logger = opts.logger ?? pino({ level: cfg.logLevel, base: { service: 'gateway', msp: cfg.mspId } });
  setSdkLogger(logger);
  const ledger: ReloadingLedgerClient = await connectWithRetry(() => connectReloadingLedger(cfg.ledger), logger);
  let pool: Pool | undefined;
  let store: SubmissionStore | undefined;
  let proofs: ProofStore | undefined;
  let unbooked: UnbookedStore | undefined;
  let rollupStore: RollupStore | undefined;
  let rollup: PosRollup | undefined;
  let captures: CaptureStore | undefined;
  let epcis: EpcisCapture | undefined;
  let devIssuer: DevIssuer | undefined;
  let claims: ClaimStore | undefined;
  let registry: ChainRegistry | undefined;
  let payments: PaymentsService | undefined;
  let termsPurger: TermsPurger | undefined;
  const mappings = createMappingStore({ file: cfg.mappingsFile, logger });
  const paymentsCfg = cfg.payments;
  try {
    // One pool for every store of this process; the migrations run once, before any store is used.
    pool = createGatewayPool({ connectionString: cfg.databaseUrl, max: 16 });
    await migrateGateway(pool);
    store = createPgSubmissionStore({ pool });
    proofs = createPgProofStore({ pool });
    unbooked = createPgUnbookedStore({ pool });
    rollupStore = createPgRollupStore({ pool });
    rollup = createPosRollup({ store: rollupStore, config: cfg.posRollup });
    captures = createPgCaptureStore({ pool });
    epcis = createEpcisCapture({ store: captures, pollMs: cfg.submission.workerPollMs, bodyLimit: cfg.bodyLimit });
    let jwksUrl = cfg.auth.jwksUrl;
    let issuer = cfg.auth.issuer;
    if (cfg.auth.devIssuer) {
      devIssuer = createDevIssuer({ port: cfg.auth.devIssuerPort, audience: cfg.auth.audience, keyFile: path.resolve(cfg.auth.devKeyFile) });
      ({ jwksUrl, issuer } = await devIssuer.start());
      logger.warn(
        { issuer, keyFile: cfg.auth.devKeyFile },
        `dev issuer active: mint a token with  node dist/gateway/src/auth/mint-token.js --org ${cfg.mspId} --role admin`,
      );
    }
    const extraRoutes = [
      provenanceRoutes(),
      posRoutes({ proofs, rollup, unbooked, mappings: () => mappings.current().pos }),
      sapRoutes({ mappings: () => mappings.current().sap }),
      mappingsAdminRoutes(mappings),
      epcis.routes,
      ...(cfg.epcisQueryUrl ? [epcisQueryProxy({ queryUrl: cfg.epcisQueryUrl })] : []),
      ...(opts.extraRoutes ?? []),
    ];
    if (paymentsCfg?.enabled) {
      claims = createPgClaimStore({ pool });
      registry = createChainRegistry(paymentsCfg.chains);
      payments = createPaymentsService({
        ledger,
        verifier: createPaymentVerifier({ registry }),
        store: claims,
        logger: logger.child({ module: 'payments' }),
        expiryMs: paymentsCfg.expiryMs,
        recheckMs: paymentsCfg.recheckMs,
      });
      extraRoutes.push(paymentsRoutes({ service: payments }));
    }
    // One gateway serves one organisation: tokens of another member are refused wherever they enter.
    const verifier = bindToOrganisation(
      createJwtVerifier({ jwksUrl: jwksUrl!, issuer: issuer!, audience: cfg.auth.audience, algorithms: cfg.auth.algorithms, orgClaim: cfg.auth.orgClaim }),
      { org: cfg.mspId, claim: cfg.auth.orgClaim, required: cfg.auth.requireOrg },
    );
    const gateway = createGateway({
      mspId: cfg.mspId,
      ledger,
      store,
      verifier,
      logger,
      rateLimit: cfg.rateLimit,
      syncAttempts: cfg.submission.syncAttempts,
      worker: { pollMs: cfg.submission.workerPollMs, maxAttempts: cfg.submission.maxAsyncAttempts },
      bodyLimit: cfg.bodyLimit,
      extraRoutes,
      termsRetentionSeconds: cfg.terms.retentionSeconds,
      mount: (app, { limiter }) =>
        mountConsole(app, {
          mspId: cfg.mspId,
          dir: cfg.console.dir ?? path.resolve(__dirname, '..', '..', 'console'),
          indexerUrl: cfg.console.indexerUrl,
          verifier,
          logger,
          devIssuer,
          indexerDevKeyFile: devIssuer && cfg.console.indexerDevKeyFile ? path.resolve(cfg.console.indexerDevKeyFile) : undefined,
          oidc: cfg.console.oidc,
          limiter,
          production: cfg.console.production,
          orgClaim: cfg.auth.orgClaim,
        }),
      ...(cfg.epcisQueryUrl ? { onUpgrade: epcisStreamUpgrade({ queryUrl: cfg.epcisQueryUrl, verifier, logger }) } : {}),
      listener: cfg.listener,
    });
    const { url } = await gateway.start({ host: cfg.host, port: cfg.port });
    payments?.start();
    termsPurger = createTermsPurger({
      ledger,
      endorsement: createEndorsementResolver({ ledger }),
      logger: logger.child({ module: 'terms-retention' }),
      cron: cfg.terms.purgeCron,
    });
    termsPurger.start();
    const tp = termsPurger;
    const s = store;
    const p = proofs;
    const ub = unbooked;
    const ru = rollup;
    const rs = rollupStore;
    const c = captures;
    const e = epcis;
    const db = pool;
    return {
      url,
      gateway,
      devIssuer,
      mappings,
      async reload(reason) {
        const failed: string[] = [];
        let carriedOver = 0;
        const attempt = async (part: string, fn: () => unknown) => {
          try {
            await fn();
          } catch (err) {
            failed.push(`${part}: ${(err as Error).message}`);
          }
        };
        await attempt('mappings', () => mappings.reload(reason));
        await attempt('https', () => gateway.reloadTls());
        await attempt('fabric identity', async () => ({ carriedOver } = await ledger.reload()));
        const certificates = ledger.certificates().map((c) => ({ kind: c.kind, subject: c.subject, serialNumber: c.serialNumber, notAfter: c.notAfter }));
        if (failed.length > 0) {
          logger.error({ reason, failed, certificates }, 'reload incomplete: the parts named keep their previous state');
          throw new Error(`reload incomplete: ${failed.join('; ')}`);
        }
        // carriedOver: calls that finish on the previous connection (submissions under way at the swap).
        logger.info({ reason, certificates, carriedOver }, 'reloaded mappings, HTTPS certificate and Fabric identity');
      },
      async stop() {
        await gateway.stop();
        await e.stop();
        await ru.stop();
        await tp.stop();
        await payments?.stop();
        registry?.close();
        await claims?.close();
        ledger.close();
        await s.close();
        await p.close();
        await ub.close();
        await rs.close();
        await c.close();
        await db.end();
        await devIssuer?.stop();
      },
    };
  } catch (err) {
    await termsPurger?.stop().catch(() => undefined);
    registry?.close();
    await claims?.close().catch(() => undefined);
    ledger.close();
    await store?.close().catch(() => undefined);
    await proofs?.close().catch(() => undefined);
    await unbooked?.close().catch(() => undefined);
    await rollup?.stop().catch(() => undefined);
    await rollupStore?.close().catch(() => undefined);
    await epcis?.stop().catch(() => undefined);
    await captures?.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await devIssuer?.stop().catch(() => undefined);
    throw err;
  }
}

async function main(): Promise<void> {
  const cfg = loadGatewayConfig();
  const logger = pino({ level: cfg.logLevel, base: { service: 'gateway', msp: cfg.mspId } });
  const running = await start(cfg, { logger });
  logger.info({ url: running.url, openapi: `${running.url}/openapi.json` }, 'gateway ready');
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // Logged by reload; what failed keeps its previous state.
  process.on('SIGHUP', () => void running.reload('SIGHUP').catch(() => undefined));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`gateway: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
