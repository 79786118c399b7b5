/**
 * The Java side of the local Kafka broker: checks that Java 17 and Maven are
 * there, and resolves the broker's jars from Maven Central once, through
 * network/kafka/pom.xml, into a cached class path under network/.kafka/.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCommand } from '../run-command';

/** Lowest Java feature release Kafka 4.x brokers run on. */
export const MIN_JAVA_VERSION = 17;

/** Where the pom lives and where resolved class paths are cached. */
export interface KafkaJarPaths {
  /** network/kafka/pom.xml of the project. */
  pom: string;
  /** network/.kafka/: cached class path files (not committed). */
  cacheDir: string;
}

/** Paths of the pom and the class path cache of the project at `root`. */
export function kafkaJarPaths(root: string): KafkaJarPaths {
  return { pom: path.join(root, 'network', 'kafka', 'pom.xml'), cacheDir: path.join(root, 'network', '.kafka') };
}

/** The `java` to run: $JAVA_HOME/bin/java when JAVA_HOME is set, else `java` on PATH. */
export function javaCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** What a local Kafka broker needs, and what is missing. */
export interface KafkaPrerequisites {
  /** True when a broker can be started here. */
  ok: boolean;
  /** Feature release of the Java found (17 for 17.0.15, 8 for 1.8.0), if any. */
  javaVersion?: number;
  /** True when `mvn` runs. */
  maven: boolean;
  /** True when the broker's jars are already resolved (then Maven is not needed). */
  jarsCached: boolean;
  /** One sentence naming what is missing; absent when `ok`. */
  problem?: string;
}

/** Parses the feature release from `java -version` output. */
export function parseJavaVersion(output: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (!m) return undefined;
  const first = Number(m[1]);
  // Java 8 and older report "1.8.0_x".
  return first === 1 && m[2] !== undefined ? Number(m[2]) : first;
}

async function tryRun(command: string, args: string[]): Promise<string | undefined> {
  try {
    return await runCommand(command, args, { step: `${command} ${args.join(' ')}` });
  } catch {
    return undefined;
  }
}

/**
 * Checks for Java 17+ and Maven (Maven only while the jars are not cached), so
 * callers can say "no local Kafka: …" instead of failing obscurely later.
 */
export async function checkKafkaPrerequisites(root: string, env: NodeJS.ProcessEnv = process.env): Promise<KafkaPrerequisites> {
  const javaOut = await tryRun(javaCommand(env), ['-version']);
  const javaVersion = javaOut === undefined ? undefined : parseJavaVersion(javaOut);
  const maven = (await tryRun('mvn', ['-v'])) !== undefined;
  const jarsCached = readCachedClasspath(kafkaJarPaths(root)) !== undefined;
  const missing: string[] = [];
  if (javaVersion === undefined) missing.push('no Java found');
  else if (javaVersion < MIN_JAVA_VERSION) missing.push(`found Java ${javaVersion}`);
  if (!maven && !jarsCached) missing.push('no Maven (mvn) found to fetch the Kafka jars');
  if (missing.length === 0) return { ok: true, javaVersion, maven, jarsCached };
  return {
    ok: false,
    javaVersion,
    maven,
    jarsCached,
    problem: `no local Kafka: Java ${MIN_JAVA_VERSION} and Maven needed (${missing.join('; ')})`,
  };
}

/** Cache file for the current pom: its name carries the pom's hash, so editing the pom re-resolves. */
function classpathFile(paths: KafkaJarPaths): string {
  const hash = createHash('sha256').update(fs.readFileSync(paths.pom)).digest('hex').slice(0, 16);
  return path.join(paths.cacheDir, `classpath-${hash}.txt`);
}

/** The cached class path when it exists and every jar in it is still on disk. */
function readCachedClasspath(paths: KafkaJarPaths): string | undefined {
  let file: string;
  try {
    file = classpathFile(paths);
  } catch {
    return undefined;
  }
  if (!fs.existsSync(file)) return undefined;
  const cp = fs.readFileSync(file, 'utf8').trim();
  const jars = cp.split(path.delimiter).filter((j) => j !== '');
  // The jars live in the Maven repository (~/.m2); a cleaned repository means resolving again.
  if (jars.length === 0 || !jars.every((j) => fs.existsSync(j))) return undefined;
  return cp;
}

/**
 * Returns the broker's class path, running Maven only when it is not cached
 * yet (first run, pom changed, or the Maven repository was cleaned).
 */
export async function resolveKafkaClasspath(root: string, log: (msg: string) => void = () => undefined): Promise<string> {
  const paths = kafkaJarPaths(root);
  const cached = readCachedClasspath(paths);
  if (cached !== undefined) return cached;
  fs.mkdirSync(paths.cacheDir, { recursive: true });
  const target = classpathFile(paths);
  // Write beside the target and rename, so a concurrent reader never sees half a file.
  const tmp = `${target}.${process.pid}.tmp`;
  log(`resolving the Kafka broker's jars from Maven Central (${path.relative(root, paths.pom)})`);
  await runCommand('mvn', ['-B', '-q', '-f', paths.pom, 'dependency:build-classpath', '-Dmdep.includeScope=runtime', `-Dmdep.outputFile=${tmp}`], {
    step: 'resolve the Kafka broker jars with Maven',
  });
  fs.renameSync(tmp, target);
  const cp = readCachedClasspath(paths);
  if (cp === undefined) throw new Error(`Maven wrote no usable class path to ${target}`);
  return cp;
}
