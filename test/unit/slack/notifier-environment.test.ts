import { afterEach, describe, expect, it } from 'vitest';
import {
  NOTIFIER_ENV,
  NotifierEnvironmentError,
  readNotifierEnvironment,
} from '../../../functions/notifier/environment';
import { MissingEnvironmentError } from '../../../functions/runtime/read-env';
import { NotificationRoutesError } from '../../../functions/slack/errors';

const REQUIRED = {
  [NOTIFIER_ENV.metadataTable]: 'table',
  [NOTIFIER_ENV.webhookSecretArn]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-AbCdEf',
  [NOTIFIER_ENV.queueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/notify',
  [NOTIFIER_ENV.deadLetterQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/notify-dlq',
  [NOTIFIER_ENV.routes]: '{"churn":{"events":"all"}}',
};
const ALL = Object.values(NOTIFIER_ENV);

function withEnv(values: Record<string, string>) {
  for (const name of ALL) delete process.env[name];
  Object.assign(process.env, values);
}

describe('readNotifierEnvironment', () => {
  afterEach(() => {
    for (const name of ALL) delete process.env[name];
  });

  it('reads the variables lib/notifications.ts sets, with defaults for the optional ones', () => {
    withEnv(REQUIRED);
    const env = readNotifierEnvironment();
    expect(env).toMatchObject({ metadataTable: 'table', timeScale: 1 });
    expect(env.routes.get('churn')?.events.size).toBe(14);
    expect(env.webhookUrlOverride).toBeUndefined();
  });

  it('takes SLACK_WEBHOOK_URL and NOTIFIER_TIME_SCALE for the local runtime', () => {
    withEnv({ ...REQUIRED, SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/x', NOTIFIER_TIME_SCALE: '0.05' });
    expect(readNotifierEnvironment()).toMatchObject({ webhookUrlOverride: 'http://127.0.0.1:9/x', timeScale: 0.05 });
  });

  it('fails at init on a missing variable, bad routes or a bad time scale', () => {
    withEnv({ ...REQUIRED, [NOTIFIER_ENV.routes]: '' });
    expect(() => readNotifierEnvironment()).toThrow(MissingEnvironmentError);
    withEnv({ ...REQUIRED, [NOTIFIER_ENV.routes]: '[]' });
    expect(() => readNotifierEnvironment()).toThrow(NotificationRoutesError);
    withEnv({ ...REQUIRED, NOTIFIER_TIME_SCALE: '0' });
    expect(() => readNotifierEnvironment()).toThrow(NotifierEnvironmentError);
  });
});
