/**
 * Opening a channel with fabric-network as one organisation: an in-memory
 * wallet with the application identity (and client TLS identity), a gateway
 * with discovery on, and the channel's network.
 */
import { Gateway, Wallets, type Network, type X509Identity } from 'fabric-network';
import { ServiceError } from '../../platform/src';
import type { LedgerClientOptions } from './client-types';
import { toServiceError } from './ledger-errors';

function connectionProfile(opts: LedgerClientOptions) {
  return {
    name: `supplychain-${opts.mspId}`,
    version: '1.0.0',
    client: { organization: opts.mspId, connection: { timeout: { peer: { endorser: '30' } } } },
    // Peers are named by endpoint, as discovery names the peers it finds.
    organizations: { [opts.mspId]: { mspid: opts.mspId, peers: [opts.peer.endpoint] } },
    peers: {
      [opts.peer.endpoint]: {
        url: `grpcs://${opts.peer.endpoint}`,
        tlsCACerts: { pem: opts.peer.tlsCaPem },
        grpcOptions: { 'ssl-target-name-override': opts.peer.hostnameOverride ?? opts.peer.endpoint.split(':')[0] },
      },
    },
  };
}

/**
 * Why a channel could not be opened. The peer answers "access denied" both for
 * a channel it does not serve and for an identity the channel does not know
 * (it hides which), so that is reported as CHANNEL_UNAVAILABLE, not retriable;
 * a peer out of reach stays a retriable LEDGER_UNAVAILABLE.
 */
function channelError(err: unknown, opts: LedgerClientOptions): ServiceError {
  const text = err instanceof Error ? err.message : String(err);
  if (/access denied|not found|no such channel|cannot find/i.test(text)) {
    return new ServiceError({
      code: 'CHANNEL_UNAVAILABLE',
      message: `peer ${opts.peer.endpoint} refused channel "${opts.channel}" to ${opts.mspId}: ${text}`,
      httpStatus: 503,
      cause: err,
    });
  }
  return toServiceError(err, `opening channel ${opts.channel}`);
}

/** Connects a fabric-network gateway for `opts` and opens its channel. */
export async function connectNetwork(opts: LedgerClientOptions): Promise<{ gateway: Gateway; network: Network }> {
  const wallet = await Wallets.newInMemoryWallet();
  const identity: X509Identity = {
    credentials: { certificate: opts.identity.certificatePem, privateKey: opts.identity.privateKeyPem },
    mspId: opts.mspId,
    type: 'X.509',
  };
  await wallet.put('app', identity);
  if (opts.clientTls) {
    const tls: X509Identity = {
      credentials: { certificate: opts.clientTls.certificatePem, privateKey: opts.clientTls.privateKeyPem },
      mspId: opts.mspId,
      type: 'X.509',
    };
    await wallet.put('tls', tls);
  }
  const gateway = new Gateway();
  try {
    await gateway.connect(connectionProfile(opts), {
      wallet,
      identity: 'app',
      clientTlsIdentity: opts.clientTls ? 'tls' : undefined,
      discovery: { enabled: true, asLocalhost: opts.asLocalhost ?? false },
      eventHandlerOptions: { commitTimeout: (opts.commitTimeoutMs ?? 60_000) / 1000 },
    });
  } catch (err) {
    throw toServiceError(err, `connecting to ${opts.peer.endpoint} as ${opts.mspId}`);
  }
  const network = await gateway.getNetwork(opts.channel).catch((err: unknown) => {
    gateway.disconnect();
    throw channelError(err, opts);
  });
  return { gateway, network };
}
