/**
 * A local single-node Apache Kafka broker in KRaft mode (broker and controller
 * in one JVM) for development and tests, started detached through the devnet's
 * process manager and stopped by PID. Its jars come from Maven Central (see
 * kafka-classpath.ts); its state lives in the run folder.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { DevnetConfig } from '../config';
import { logDir, pidDir, stateDir } from '../paths';
import { createProcessManager, ProcessStartError, type ProcessManager } from '../processes';
import { runCommand } from '../run-command';
import { checkKafkaPrerequisites, javaCommand, resolveKafkaClasspath } from './kafka-classpath';

/** Port offsets from the devnet's port base. */
export const KAFKA_PORT_OFFSETS = { broker: 800, controller: 801 } as const;

/** Process name (PID and log file) of the broker. */
export const KAFKA_PROCESS = 'kafka';

export interface KafkaBrokerOptions {
  /** The devnet whose port base and run folder the broker uses. */
  cfg: DevnetConfig;
  /** Maximum JVM heap in MiB; 512 is plenty for a development broker. */
  heapMb?: number;
  /** How long `start()` waits for the broker to answer metadata requests. */
  startTimeoutMs?: number;
  /** Progress messages ("resolving jars", "formatting storage", "started"). */
  log?: (msg: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface KafkaBroker {
  /** Bootstrap addresses, e.g. ['127.0.0.1:7800']. */
  readonly brokers: string[];
  /** Starts the broker unless it runs already; resolves once it serves metadata. */
  start(): Promise<void>;
  /** Stops the broker by PID; true when a running broker was stopped. */
  stop(): Promise<boolean>;
  /** PID of the running broker, if any. */
  pid(): number | undefined;
  /** The broker's log file (stdout and stderr of the JVM). */
  readonly logFile: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (22 characters). */
function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

function serverProperties(o: { brokerPort: number; controllerPort: number; dataDir: string }): string {
  const settings: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${o.controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${o.brokerPort},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${o.brokerPort}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': o.dataDir,
    'num.partitions': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    // One node: a single partition for the internal topics keeps the first start quick.
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    // Topics are created explicitly (the indexer declares its topics): a misspelt topic name
    // must fail loudly rather than create a stray topic nobody consumes.
    'auto.create.topics.enable': 'false',
    // No reason to wait for more members to join a group on a development broker.
    'group.initial.rebalance.delay.ms': 0,
    // After a kill -9 the controller refuses the restarted broker (DUPLICATE_BROKER_REGISTRATION)
    // until the old session expires: 9 s by default. Heartbeats never leave this machine, so a
    // short session is safe and a restart after a crash takes seconds, not a quarter minute.
    'broker.session.timeout.ms': 3000,
    'broker.heartbeat.interval.ms': 500,
  };
  const lines = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  return `# Written by network/src/services/kafka-broker.ts on every start; edits are overwritten.\n${lines.join('\n')}\n`;
}

/** Log4j 2 configuration: everything to stdout, which the process manager sends to the log file. */
const LOG4J2_PROPERTIES = `status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.config.name = org.apache.kafka.common.config
logger.config.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
`;

/** Creates the broker of a devnet: ports from its port base, state under its run folder. */
export function createKafkaBroker(opts: KafkaBrokerOptions): KafkaBroker {
  const { cfg } = opts;
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => undefined);
  const brokerPort = cfg.portBase + KAFKA_PORT_OFFSETS.broker;
  const controllerPort = cfg.portBase + KAFKA_PORT_OFFSETS.controller;
  const brokers = [`127.0.0.1:${brokerPort}`];
  const pm: ProcessManager = createProcessManager({ pidDir: pidDir(cfg), logDir: logDir(cfg) });
  const home = stateDir(cfg, KAFKA_PROCESS);
  const dataDir = path.join(home, 'data');
  const propsFile = path.join(home, 'server.properties');
  const log4jFile = path.join(home, 'log4j2.properties');
  const logFile = pm.logFile(KAFKA_PROCESS);
  const startTimeoutMs = opts.startTimeoutMs ?? 120_000;

  function appendLog(text: string): void {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    fs.appendFileSync(logFile, text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Formats the KRaft metadata log once; a formatted folder keeps its cluster id. */
  async function ensureFormatted(classpath: string): Promise<void> {
    if (fs.existsSync(path.join(dataDir, 'meta.properties'))) return;
    const clusterId = newClusterId();
    log(`formatting Kafka storage (cluster ${clusterId}) in ${dataDir}`);
    // `--cluster-id=<id>` in one argument: a base64url id may start with '-', which the
    // tool's argument parser would otherwise take for an option.
    const out = await runCommand(javaCommand(env), ['-cp', classpath, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', propsFile], {
      env,
      step: 'format the Kafka storage',
    });
    appendLog(`--- ${new Date().toISOString()} storage format\n${out}`);
  }

  /**
   * Waits until a real client is served: cluster metadata, a group coordinator and a producer id.
   * The TCP port opens before the broker serves, and the internal topics behind groups and
   * idempotent producers are created on first use; warming them here spares clients a round
   * of "coordinator is loading" retries.
   */
  async function waitForService(deadline: number): Promise<void> {
    const kafka = new Kafka({ clientId: 'kafka-broker-health', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    let lastError: unknown;
    while (Date.now() < deadline) {
      const admin = kafka.admin();
      // kafkajs refuses an idempotent producer without retries; one quick retry, the loop does the rest.
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 1, initialRetryTime: 100 } });
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length > 0 && cluster.controller !== null) {
          await admin.describeGroups(['kafka-broker-health']);
          await producer.connect();
          return;
        }
      } catch (err) {
        lastError = err;
      } finally {
        await producer.disconnect().catch(() => undefined);
        await admin.disconnect().catch(() => undefined);
      }
      const info = pm.get(KAFKA_PROCESS);
      if (!info?.alive) throw new ProcessStartError(KAFKA_PROCESS, logFile, 'exited while waiting to serve clients');
      await sleep(250);
    }
    throw new ProcessStartError(KAFKA_PROCESS, logFile, `not serving clients within ${startTimeoutMs} ms (${String(lastError)})`);
  }

  async function start(): Promise<void> {
    const deadline = Date.now() + startTimeoutMs;
    if (pm.get(KAFKA_PROCESS)?.alive) {
      await waitForService(deadline);
      return;
    }
    const classpath = await resolveKafkaClasspath(cfg.root, log);
    fs.mkdirSync(home, { recursive: true });
    fs.writeFileSync(propsFile, serverProperties({ brokerPort, controllerPort, dataDir }));
    fs.writeFileSync(log4jFile, LOG4J2_PROPERTIES);
    await ensureFormatted(classpath);
    const heap = opts.heapMb ?? 512;
    log(`starting Kafka on ${brokers[0]} (controller 127.0.0.1:${controllerPort})`);
    const info = await pm.start(
      {
        name: KAFKA_PROCESS,
        command: javaCommand(env),
        args: [
          `-Xms${Math.min(128, heap)}m`,
          `-Xmx${heap}m`,
          '-XX:+UseG1GC',
          '-XX:MaxGCPauseMillis=20',
          '-XX:+ExitOnOutOfMemoryError',
          '-Djava.awt.headless=true',
          `-Dlog4j2.configurationFile=${log4jFile}`,
          `-Dkafka.logs.dir=${logDir(cfg)}`,
          '-cp',
          classpath,
          'kafka.Kafka',
          propsFile,
        ],
        env,
        cwd: home,
        health: { kind: 'tcp', host: '127.0.0.1', port: brokerPort },
      },
      startTimeoutMs,
    );
    await waitForService(deadline);
    log(`Kafka ready on ${brokers[0]} (pid ${info.pid})`);
  }

  async function stop(): Promise<boolean> {
    // A controlled shutdown of one node takes a few seconds; give it time before SIGKILL.
    return pm.stop(KAFKA_PROCESS, 30_000);
  }

  function pid(): number | undefined {
    const info = pm.get(KAFKA_PROCESS);
    return info?.alive ? info.pid : undefined;
  }

  return { brokers, start, stop, pid, logFile };
}

/** Kafka for a service: the brokers named by KAFKA_BROKERS, else the local broker when Java and Maven allow. */
export interface KafkaSource {
  /** Bootstrap addresses; empty when no Kafka is available. */
  readonly brokers: string[];
  /** True when KAFKA_BROKERS names the brokers; start and stop then do nothing. */
  readonly external: boolean;
  /** False when there is no Kafka to use: `problem` says why (the indexer then keeps its outbox). */
  readonly available: boolean;
  readonly problem?: string;
  start(): Promise<void>;
  stop(): Promise<boolean>;
}

/**
 * Uses `kafkaBrokers` (the caller's KAFKA_BROKERS, comma-separated) when set,
 * starting nothing; otherwise the local broker of `opts.cfg`, or, when Java 17
 * or Maven is missing, an unavailable source whose `problem` says so.
 */
export async function kafkaSource(opts: KafkaBrokerOptions & { kafkaBrokers?: string }): Promise<KafkaSource> {
  const noop = { start: async () => undefined, stop: async () => false };
  const listed = (opts.kafkaBrokers ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  if (listed.length > 0) return { brokers: listed, external: true, available: true, ...noop };
  const pre = await checkKafkaPrerequisites(opts.cfg.root, opts.env ?? process.env);
  if (!pre.ok) return { brokers: [], external: false, available: false, problem: pre.problem, ...noop };
  const local = createKafkaBroker(opts);
  return { brokers: local.brokers, external: false, available: true, start: local.start, stop: local.stop };
}
