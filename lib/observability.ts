import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { MlopsFunction } from './mlops-function';

export interface ObservabilityProps {
  readonly stage: string;
  /** Encrypts the alarm topic. */
  readonly encryptionKey: kms.IKey;
  /**
   * Address subscribed to the alarm topic.
   * @default - no subscription; subscribe on-call tooling to `alarmTopic` yourself
   */
  readonly alarmEmail?: string;
}

/**
 * One dashboard for the whole deployment, and alarms on what must never go unnoticed: function errors and
 * throttles, and any message in a dead-letter queue. Every alarm notifies `alarmTopic`. Capabilities register
 * what they create with `monitorFunction` and `monitorDeadLetterQueue`.
 */
export class Observability extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  /** Every alarm of the deployment notifies this topic, on ALARM and back to OK. */
  public readonly alarmTopic: sns.Topic;
  private readonly alarmAction: actions.SnsAction;

  public constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `mlops ${props.stage} alarms`,
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    this.alarmAction = new actions.SnsAction(this.alarmTopic);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `mlops-${props.stage}`,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          `# mlops ${props.stage}\nFunctions (invocations, errors, throttles, duration) and dead-letter queues. ` +
          'Every alarm notifies the alarm topic; a message in a dead-letter queue is an event that needs a look and a redrive.',
        width: 24,
        height: 2,
      }),
    );
  }

  /** Alarms on errors and throttles of `fn`, alarms on its dead-letter queue, and adds it to the dashboard. */
  public monitorFunction(fn: MlopsFunction): void {
    const label = fn.node.id;
    this.alarm(
      fn,
      'Errors',
      fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      `${label}: invocation errors`,
    );
    this.alarm(
      fn,
      'Throttles',
      fn.function.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
      `${label}: throttled invocations`,
    );
    this.monitorDeadLetterQueue(fn, fn.deadLetterQueue, `${label} dead-letter queue`);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `${label}: invocations, errors, throttles`,
        width: 12,
        left: [fn.function.metricInvocations(), fn.function.metricErrors(), fn.function.metricThrottles()],
        right: [fn.function.metricDuration({ statistic: 'p99' })],
      }),
      new cloudwatch.GraphWidget({
        title: `${label}: dead-letter queue`,
        width: 12,
        left: [fn.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' })],
      }),
    );
  }

  /** Alarms as soon as one message is visible in `queue`: something was not delivered and waits for a redrive. */
  public monitorDeadLetterQueue(scope: Construct, queue: sqs.IQueue, label: string): void {
    const visible = queue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: 'Maximum',
    });
    this.alarm(scope, 'DeadLetterQueueNotEmpty', visible, `${label}: messages waiting`);
  }

  private alarm(scope: Construct, id: string, metric: cloudwatch.IMetric, description: string): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(scope, `${id}Alarm`, {
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(this.alarmAction);
    alarm.addOkAction(this.alarmAction);
    return alarm;
  }
}
