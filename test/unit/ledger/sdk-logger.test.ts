import { expect } from 'chai';
import { createRequire } from 'node:module';
import pino from 'pino';
import { setSdkLogger } from '../../../lib/fabric/src';

/** fabric-network's own logger module (untyped), as its Transaction class gets it. */
const sdkLogger = (): { error(...args: unknown[]): void } => createRequire(__filename)('fabric-network/lib/logger').getLogger('Transaction');

describe('Fabric SDK log lines', () => {
  afterEach(() => setSdkLogger(undefined));

  it('go to the service logger at debug level, one line each, without the stack', () => {
    const lines: Array<{ level: number; msg: string; component: string }> = [];
    setSdkLogger(pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) }));
    sdkLogger().error('%s', new Error('No valid responses from any peers. Errors:\n peer=p0, status=500, message={"code":"CONFLICT"}'));
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ level: 20, component: 'fabric-sdk', msg: '[Transaction]: Error: No valid responses from any peers. Errors:' });
  });

  it('print nothing on the console when no logger is set', () => {
    const written: string[] = [];
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((s: string) => written.push(String(s)) > 0) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => written.push(String(s)) > 0) as typeof process.stderr.write;
    try {
      sdkLogger().error('%s', new Error('endorsement failed'));
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
    }
    expect(written.join('')).to.equal('');
  });
});
