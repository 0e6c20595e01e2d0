import { describe, expect, it } from 'vitest';
import type { AwsCall, AwsReply } from '../../../local/emulator/aws-call';
import { oneAtATime } from '../../../local/emulator/serial-writes';

const reply = (body: string): AwsReply => ({ status: 200, headers: {}, body: Buffer.from(body) });

describe('oneAtATime', () => {
  it('forwards in arrival order, each after the previous one ended, and a failure does not block the next', async () => {
    const serial = oneAtATime();
    const log: string[] = [];
    const slow =
      (name: string, ms: number, fail = false) =>
      () =>
        new Promise<AwsReply>((resolve, reject) => {
          log.push(`start ${name}`);
          setTimeout(() => {
            log.push(`end ${name}`);
            if (fail) reject(new Error(name));
            else resolve(reply(name));
          }, ms);
        });
    const call = {} as AwsCall;
    const results = await Promise.allSettled([
      serial(call, slow('a', 30)),
      serial(call, slow('b', 5, true)),
      serial(call, slow('c', 1)),
    ]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
