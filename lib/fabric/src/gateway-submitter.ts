/**
 * Submits transactions through the Fabric Gateway service of the
 * organisation's own peer (Fabric's maintained Node client,
 * @hyperledger/fabric-gateway): the peer plans and collects endorsements,
 * sends the transaction to the orderer and answers its commit status. The
 * client signs twice and keeps no event streams or discovery state of its own,
 * which is most of what the older SDK spends per transaction.
 */
import { createPrivateKey } from 'node:crypto';
import { createRequire } from 'node:module';
import {
  CommitError,
  connect,
  EndorseError,
  GatewayError,
  hash,
  signers,
  StatusCode,
  type ErrorDetail,
  type Gateway,
  type GrpcClient,
} from '@hyperledger/fabric-gateway';
import type * as grpcTypes from '@grpc/grpc-js';
import { ecOrder, nativeEcdsaSigner } from './ecdsa-signer';
import { ServiceError } from '../../platform/src';
import { invalidTransaction, toServiceError } from './ledger-errors';
import type { LedgerClientOptions, SubmitResult, TransactionRequest } from './client-types';

/** The gRPC library the gateway client was built against (it may differ from the one fabric-network uses). */
type GrpcModule = typeof grpcTypes;
const gatewayGrpc = createRequire(require.resolve('@hyperledger/fabric-gateway'))('@grpc/grpc-js') as GrpcModule;

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;
const STATUS_NAMES = new Map<number, string>(Object.entries(StatusCode).map(([name, code]) => [code as number, name]));

/** Observes a transaction's commit on the channel's other peers (see commit-waiter.ts). */
export interface CommitWatch {
  startListening(): Promise<void>;
  waitForEvents(): Promise<void>;
  cancelListening(): void;
}

export interface GatewaySubmitter {
  /**
   * Endorses, orders and waits for the commit on the gateway peer; with `watch`, then also
   * waits (as the watch decides) for the other peers, so the next transaction, endorsed
   * there, reads what this one wrote.
   */
  submit(req: TransactionRequest, watch?: (txId: string) => CommitWatch): Promise<SubmitResult>;
  /** Evaluates on the gateway peer (or a peer of its organisation at the highest block), signed natively. */
  evaluate(req: TransactionRequest): Promise<Buffer>;
  close(): void;
}

/** The text of a gateway error with each peer's or orderer's own message, as toServiceError reads it. */
function errorText(err: unknown): string {
  const details: ErrorDetail[] = err instanceof GatewayError ? err.details : [];
  return [err instanceof Error ? err.message : String(err), ...details.map((d) => `${d.mspId} ${d.address}: ${d.message}`)].join('\n');
}

/** A gateway client error as a ServiceError with the codes the SDK path gives for the same failure. */
export function gatewayServiceError(err: unknown, action: string): ServiceError {
  if (err instanceof CommitError) return invalidTransaction(err.transactionId, STATUS_NAMES.get(err.code) ?? String(err.code), 'the gateway peer');
  const text = errorText(err);
  if (err instanceof EndorseError && /ProposalResponsePayloads do not match|responses do not match|inconsistent/i.test(text)) {
    return new ServiceError({
      code: 'ENDORSEMENT_MISMATCH',
      message: `${action} failed: the endorsing peers returned different results (one was behind); retry`,
      httpStatus: 409,
      retriable: true,
      cause: err,
    });
  }
  // The orderer refused or could not take the transaction (SubmitError), or its commit was not
  // reported in time (CommitStatusError): nothing or the same event id reaches the ledger on a
  // retry, so both may be tried again, as the other client's commit timeout may.
  const name = err instanceof Error ? err.name : '';
  const grpcCode = (err as { code?: unknown }).code;
  if (name === 'SubmitError' || name === 'CommitStatusError' || grpcCode === GRPC_DEADLINE_EXCEEDED || grpcCode === GRPC_UNAVAILABLE) {
    return new ServiceError({
      code: 'LEDGER_UNAVAILABLE',
      message: `${action} failed: ${text.split('\n')[0]}`,
      httpStatus: 503,
      retriable: true,
      cause: err,
    });
  }
  const wrapped = new Error(text);
  return toServiceError(Object.assign(wrapped, { cause: err }), action);
}

/** Native ECDSA over the whole message where the key allows it; otherwise the library's signer over a SHA-256 digest. */
function signing(privateKeyPem: string): { signer: (m: Uint8Array) => Promise<Uint8Array>; hash: (m: Uint8Array) => Uint8Array } {
  const key = createPrivateKey(privateKeyPem);
  if (ecOrder(key) !== undefined) return { signer: nativeEcdsaSigner(privateKeyPem), hash: hash.none };
  return { signer: signers.newPrivateKeySigner(key), hash: hash.sha256 };
}

export function createGatewaySubmitter(opts: LedgerClientOptions): GatewaySubmitter {
  const host = opts.peer.hostnameOverride ?? opts.peer.endpoint.split(':')[0];
  const credentials = opts.clientTls
    ? gatewayGrpc.credentials.createSsl(Buffer.from(opts.peer.tlsCaPem), Buffer.from(opts.clientTls.privateKeyPem), Buffer.from(opts.clientTls.certificatePem))
    : gatewayGrpc.credentials.createSsl(Buffer.from(opts.peer.tlsCaPem));
  const client = new gatewayGrpc.Client(opts.peer.endpoint, credentials, {
    'grpc.ssl_target_name_override': host,
    'grpc.default_authority': host,
  });
  const commitTimeoutMs = opts.commitTimeoutMs ?? 60_000;
  const gateway: Gateway = connect({
    client: client as unknown as GrpcClient,
    identity: { mspId: opts.mspId, credentials: Buffer.from(opts.identity.certificatePem) },
    ...signing(opts.identity.privateKeyPem),
    evaluateOptions: () => ({ deadline: Date.now() + 30_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 30_000 }),
    submitOptions: () => ({ deadline: Date.now() + 30_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + commitTimeoutMs }),
  });
  const network = gateway.getNetwork(opts.channel);

  return {
    async submit(req, watch) {
      const contract = network.getContract(opts.chaincode, req.contract);
      const action = `submit ${req.contract ?? ''}:${req.fn}`;
      let watching: CommitWatch | undefined;
      try {
        const proposal = contract.newProposal(req.fn, {
          arguments: req.args ?? [],
          ...(req.transient ? { transientData: req.transient } : {}),
          ...(req.endorsingOrgs?.length ? { endorsingOrganizations: req.endorsingOrgs } : {}),
        });
        watching = watch?.(proposal.getTransactionId());
        await watching?.startListening();
        const tx = await proposal.endorse();
        const submitted = await tx.submit();
        const status = await submitted.getStatus();
        if (!status.successful) throw invalidTransaction(status.transactionId, STATUS_NAMES.get(status.code) ?? String(status.code), opts.peer.endpoint);
        if (watching) {
          const w = watching;
          watching = undefined;
          await w.waitForEvents();
        }
        return { txId: status.transactionId, blockNumber: status.blockNumber, payload: Buffer.from(tx.getResult()) };
      } catch (err) {
        if (err instanceof ServiceError) throw err;
        throw gatewayServiceError(err, action);
      } finally {
        watching?.cancelListening();
      }
    },
    async evaluate(req) {
      const contract = network.getContract(opts.chaincode, req.contract);
      try {
        const out = await contract.evaluate(req.fn, {
          arguments: req.args ?? [],
          ...(req.transient ? { transientData: req.transient } : {}),
        });
        return Buffer.from(out);
      } catch (err) {
        throw gatewayServiceError(err, `evaluate ${req.contract ?? ''}:${req.fn}`);
      }
    },
    close() {
      gateway.close();
      client.close();
    },
  };
}
