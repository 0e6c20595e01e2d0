import { randomInt } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { startGateway, type Gateway } from '../../../local/emulator/gateway';
import { localAwsClients, localAwsEnvironment, type LocalAwsClients } from '../../../local/emulator/local-clients';
import { startMoto } from '../../../local/emulator/moto-server';
import { MOTO_ENDPOINT_KEY } from './provided-context';

export type { LocalAwsClients };

/** The local AWS of one test file: its own account in the shared moto server, behind its own gateway. */
export interface LocalAws {
  /** Gateway URL; also in `process.env.AWS_ENDPOINT_URL` while the file runs. */
  readonly endpoint: string;
  readonly motoEndpoint: string;
  /** Random 12-digit account of this file. */
  readonly accountId: string;
  readonly region: string;
  /** The variables set for this file's process (restored after the file). */
  readonly env: Readonly<Record<string, string>>;
  readonly gateway: Gateway;
  /**
   * Faults of the gateway's own work during this file (e.g. a PutEvents that failed after a PutObject);
   * also written to stderr. Assert it is empty where a test depends on emitted events.
   */
  readonly gatewayErrors: readonly Error[];
  /** Also usable as the provisioner's `ProvisionClients`. */
  readonly clients: LocalAwsClients;
}

/** Options of {@link useLocalAws}. */
export interface UseLocalAwsOptions {
  /** @default a random 12-digit account id */
  readonly accountId?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
}

/**
 * Gives the calling test file an isolated local AWS: a gateway in this process, in front of the run's moto
 * server, with a fresh account id (moto keeps every account apart). Sets `AWS_ENDPOINT_URL`, test credentials
 * and `AWS_REGION` for this file's process (vitest runs each file in its own worker), so handler code that
 * builds `new S3Client({})` reaches the gateway too. Everything is undone after the file's tests.
 *
 * Call it at the top level of the test file (`const aws = await useLocalAws();`) or in `beforeAll`.
 * Without the integration global setup it starts a moto server of its own for the file.
 */
export async function useLocalAws(opts: UseLocalAwsOptions = {}): Promise<LocalAws> {
  const region = opts.region ?? 'us-east-1';
  const accountId = opts.accountId ?? randomAccountId();
  const provided = inject(MOTO_ENDPOINT_KEY);
  const ownMoto = provided === undefined ? await startMoto() : undefined;
  const motoEndpoint = provided ?? ownMoto?.endpoint ?? '';
  const gatewayErrors: Error[] = [];
  const gateway = await startGateway({
    motoEndpoint,
    accountId,
    region,
    onError: (error) => {
      gatewayErrors.push(error);
      process.stderr.write(`[gateway ${accountId}] ${error.stack ?? error.message}\n`);
    },
  });

  const env = localAwsEnvironment(gateway.endpoint, region);
  const previous = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  // An AWS_SESSION_TOKEN or AWS_PROFILE from the developer's shell would be sent to the emulator.
  const removed = { AWS_SESSION_TOKEN: process.env['AWS_SESSION_TOKEN'], AWS_PROFILE: process.env['AWS_PROFILE'] };
  delete process.env['AWS_SESSION_TOKEN'];
  delete process.env['AWS_PROFILE'];

  const clients = localAwsClients(gateway.endpoint, region);

  afterAll(async () => {
    clients.destroy();
    await gateway.stop();
    await ownMoto?.stop();
    for (const [name, value] of Object.entries({ ...previous, ...removed })) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  return { endpoint: gateway.endpoint, motoEndpoint, accountId, region, env, gateway, gatewayErrors, clients };
}

/** A random 12-digit account id, never moto's default 123456789012. */
export function randomAccountId(): string {
  for (;;) {
    const id = String(randomInt(100_000_000_000, 999_999_999_999));
    if (id !== '123456789012') return id;
  }
}
