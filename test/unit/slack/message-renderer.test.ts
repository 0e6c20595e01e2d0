import { describe, expect, it } from 'vitest';
import { LIFECYCLE_EVENT_NAMES, type LifecycleEventName } from '../../../functions/events/lifecycle';
import type { SlackMessage } from '../../../functions/slack/block-kit';
import { BLOCK_KIT_LIMITS, blockKitViolations } from '../../../functions/slack/block-kit-limits';
import { consoleLinks } from '../../../functions/slack/console-links';
import {
  MENTIONED_EVENTS,
  RENDERED_EVENTS,
  parseNotificationEvent,
  type NotificationEvent,
  type RenderOptions,
} from '../../../functions/slack/message-renderer';
import { MAXIMAL_DETAILS, REGION, TYPICAL_DETAILS, lifecycleEvent } from '../../fixtures/slack/lifecycle-events';

const MENTION = '<!subteam^S0123ONCALL>';
const options: RenderOptions = {
  links: consoleLinks(REGION),
  artifactsBucket: 'mlops-artifacts-123456789012',
  quarantineBucket: 'mlops-quarantine-123456789012',
  dashboardName: 'mlops-prod',
  mention: MENTION,
};

function parsed(name: LifecycleEventName, detail: unknown): NotificationEvent {
  const result = parseNotificationEvent(lifecycleEvent(name, detail));
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

/** Every text of a message (blocks and fallback), to search. */
function allText(message: SlackMessage): string {
  return JSON.stringify(message);
}

function sectionTexts(message: SlackMessage): string[] {
  return message.blocks.flatMap((b) =>
    b.type === 'section' ? [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)] : [],
  );
}

describe('message renderer', () => {
  it('has a renderer for every lifecycle event', () => {
    expect([...RENDERED_EVENTS].sort()).toEqual([...LIFECYCLE_EVENT_NAMES].sort());
  });

  describe.each(LIFECYCLE_EVENT_NAMES.map((name) => [name]))('%s', (name) => {
    const event = parsed(name, TYPICAL_DETAILS[name]);
    const message = event.render(options);

    it('says what happened to which pipeline in the header and the fallback text', () => {
      const header = message.blocks[0];
      expect(header?.type).toBe('header');
      expect(header?.type === 'header' && header.text.text).toMatch(/ · churn$/);
      expect(message.text).toContain('· churn:');
      expect(message.text.length).toBeGreaterThan(40);
    });

    it('stays within every Block Kit limit', () => {
      expect(blockKitViolations(message)).toEqual([]);
    });

    it('mentions on-call only for events that need someone to act', () => {
      const mentioned = MENTIONED_EVENTS.has(name);
      expect(message.text.startsWith(MENTION)).toBe(mentioned);
      expect(sectionTexts(message)[0]?.startsWith(MENTION)).toBe(mentioned);
      expect(allText(message).includes(MENTION)).toBe(mentioned);
    });

    it('links to console pages of the event region only', () => {
      const urls = [...allText(message).matchAll(/https:\/\/[^|"\\]+/g)].map((m) => m[0]);
      expect(urls.length).toBeGreaterThan(0);
      for (const url of urls) expect(url).toContain(`region=${REGION}`);
    });

    it('ends with the event id, time and source', () => {
      const footer = message.blocks.at(-1);
      expect(footer?.type === 'context' && footer.elements[0]?.text).toContain(event.id);
      expect(footer?.type === 'context' && footer.elements[0]?.text).toContain('2026-05-01 14:03 UTC');
    });
  });

  describe.each(LIFECYCLE_EVENT_NAMES.map((name) => [name]))('%s with the largest detail its schema allows', (name) => {
    const message = parsed(name, MAXIMAL_DETAILS[name]).render(options);

    it('stays within every Block Kit limit', () => {
      expect(blockKitViolations(message)).toEqual([]);
      expect(message.blocks.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.blocks);
    });

    it('never lets a value ping a channel', () => {
      expect(allText(message).replace(MENTION, '')).not.toContain('<!channel>');
    });
  });

  it('renders the mention from the options, not a default, and none without one', () => {
    const event = parsed('Training Failed', TYPICAL_DETAILS['Training Failed']);
    const { mention: _mention, ...withoutMention } = options;
    const message = event.render(withoutMention);
    expect(allText(message)).not.toContain('<!');
  });

  it('lists failed checks with their failing values and line numbers, and says how many more the report has', () => {
    const message = parsed('Dataset Rejected', TYPICAL_DETAILS['Dataset Rejected']).render(options);
    const text = sectionTexts(message).join('\n');
    expect(text).toContain('*age is within [0, 130]* (`age`): observed `-3`, expected `&gt;= 0`');
    expect(text).toContain('line 42: `-3`');
    expect(text).toContain('line 20,417: `-1`');
    expect(text).toContain('*plan is one of basic, plus, pro*');
    expect(text).toContain('…and 4 more failed checks in the contract report.');
    expect(text).toContain('*Rows*\n48,213');
    expect(message.text).toContain('7 failed checks');
  });

  it('keeps the count right when the largest Dataset Rejected is cut to fit', () => {
    const detail = MAXIMAL_DETAILS['Dataset Rejected'];
    const message = parsed('Dataset Rejected', detail).render(options);
    const text = sectionTexts(message).join('\n');
    const shown = detail.failedChecks.filter((check) => text.includes(`*${check.name}*`)).length;
    const more = /…and (\d+) more failed checks/.exec(text);
    expect(shown).toBeGreaterThan(0);
    expect(Number(more?.[1]) + shown).toBe(detail.failedCheckCount);
  });

  it('compares a registered model with the gate and the champion', () => {
    const text = sectionTexts(parsed('Model Registered', TYPICAL_DETAILS['Model Registered']).render(options)).join(
      '\n',
    );
    expect(text).toContain('`validation:auc` 0.9123 (champion v6: 0.8971, +0.0152)');
    expect(text).toContain('Gate: at least 0.85');
    expect(text).toContain('required improvement 0.005');
    expect(text).toContain('Pending manual approval');
  });

  it("says where the champion's value came from when the gate weighs live quality", () => {
    const detail = TYPICAL_DETAILS['Model Registered'] as { comparison: Record<string, unknown> };
    const live = {
      ...detail,
      comparison: {
        ...detail.comparison,
        championValueSource: 'live roc_auc 0.561 of evaluation ev-42; registered 0.81',
      },
    };
    const text = sectionTexts(parsed('Model Registered', live).render(options)).join('\n');
    expect(text).toContain("Champion's value: live roc_auc 0.561 of evaluation ev-42; registered 0.81");
  });

  it('shows a deployment strategy and its progress', () => {
    const started = sectionTexts(parsed('Deployment Started', TYPICAL_DETAILS['Deployment Started']).render(options));
    expect(started.join('\n')).toContain('*Strategy*\nblue/green, canary');
    expect(started.join('\n')).toContain('*Model version*\nv6 → v7');
    expect(started.join('\n')).toContain('shifting traffic to v7');
    const rolledBack = parsed('Deployment Rolled Back', TYPICAL_DETAILS['Deployment Rolled Back']).render(options);
    expect(sectionTexts(rolledBack).join('\n')).toContain('rolled back: traffic on v6');
  });

  it('lists evaluation metrics and drifted features, and keeps the count right when they are cut', () => {
    const typical = sectionTexts(
      parsed('Evaluation Completed', TYPICAL_DETAILS['Evaluation Completed']).render(options),
    ).join('\n');
    expect(typical).toContain('`roc_auc` 0.8612');
    expect(typical).toContain('`monthly_charges` PSI 0.31 · KS 0.12');
    expect(typical).toContain('104,880 (87.4%)');

    const detail = MAXIMAL_DETAILS['Evaluation Completed'];
    const text = sectionTexts(parsed('Evaluation Completed', detail).render(options)).join('\n');
    const shown = detail.driftedFeatures.filter((f) => text.includes(`\`${f.feature}\``)).length;
    const more = /…and (\d+) more features/.exec(text);
    expect(Number(more?.[1] ?? 0) + shown).toBe(detail.driftedFeatures.length);
  });

  it('links the report, the quarantined copy and the data file of a rejected dataset in the S3 console', () => {
    const message = parsed('Dataset Rejected', TYPICAL_DETAILS['Dataset Rejected']).render(options);
    const links = message.blocks.find((b) => b.type === 'context' && b.elements.length > 1);
    const text = links?.type === 'context' ? links.elements.map((e) => e.text).join(' ') : '';
    expect(text).toContain(
      '<https://eu-west-1.console.aws.amazon.com/s3/object/mlops-artifacts-123456789012?region=eu-west-1&bucketType=general&prefix=reports%2Fchurn%2Fds-20260501-5d41402a%2Fcontract-report.json|Contract report>',
    );
    expect(text).toContain('mlops-quarantine-123456789012');
    expect(text).toContain('prefix=churn%2Fincoming%2F2026-05-01%20batch.csv|Data file>');
  });

  it('links SageMaker and CloudWatch pages of the training job', () => {
    const message = parsed('Training Failed', TYPICAL_DETAILS['Training Failed']).render(options);
    expect(allText(message)).toContain(
      'https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/jobs/churn-run-20260501-0001',
    );
    expect(allText(message)).toContain('log-group/$252Faws$252Fsagemaker$252FTrainingJobs');
  });

  it('writes the fallback as plain text: summary, the report link, the facts; no bold or code markers', () => {
    const message = parsed('Model Degraded', TYPICAL_DETAILS['Model Degraded']).render(options);
    expect(message.text).toBe(
      [
        `${MENTION} :chart_with_downwards_trend: Model degraded · churn: roc_auc is 0.7912, below the minimum 0.85, for 3 evaluations in a row on endpoint churn. A retraining run was requested (policy: retrain).`,
        '<https://eu-west-1.console.aws.amazon.com/s3/object/mlops-artifacts-123456789012?region=eu-west-1&bucketType=general&prefix=evaluations%2Fchurn%2Feval-20260502-0000%2Freport.json|Evaluation report>',
        'Metric: roc_auc · Value: 0.7912 · Minimum: 0.85 · Windows in a row: 3 · Action: retrain · Endpoint: churn · Model version: v7',
      ].join('\n'),
    );
  });

  it('keeps the report link in the fallback text even when the facts are cut', () => {
    const message = parsed('Dataset Rejected', MAXIMAL_DETAILS['Dataset Rejected']).render(options);
    expect(message.text.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.fallbackText);
    expect(message.text).toContain('|Contract report>');
  });

  it('renders links to reports only when the bucket is known', () => {
    const { artifactsBucket: _a, quarantineBucket: _q, ...bare } = options;
    const message = parsed('Dataset Rejected', TYPICAL_DETAILS['Dataset Rejected']).render(bare);
    expect(allText(message)).not.toContain('Contract report>');
    expect(allText(message)).toContain('Data file>');
  });

  it('escapes values, so markup in data cannot format or ping', () => {
    const detail = {
      ...TYPICAL_DETAILS['Dataset Rejected'],
      failedChecks: [
        {
          name: 'email <b> & *x*',
          observed: '<!here>',
          expected: 'a`b',
          examples: [{ line: 3, value: '<@U123> |>' }],
        },
      ],
      failedCheckCount: 1,
    };
    const text = sectionTexts(parsed('Dataset Rejected', detail).render(options)).join('\n');
    expect(text).toContain('*email &lt;b&gt; &amp; ∗x∗*');
    expect(text).toContain('`&lt;!here&gt;`');
    expect(text).toContain('`aˋb`');
    expect(text).toContain('`&lt;@U123&gt; |&gt;`');
  });

  it('rejects what is not a lifecycle event, with the reason', () => {
    expect(parseNotificationEvent({ 'detail-type': 'Object Created', source: 'aws.s3' })).toEqual({
      ok: false,
      error: 'not a lifecycle event: detail-type "Object Created"',
    });
    expect(parseNotificationEvent('nope')).toEqual({ ok: false, error: 'not an EventBridge event: no "detail-type"' });
    const invalid = parseNotificationEvent(lifecycleEvent('Dataset Accepted', { pipeline: 'churn' }));
    expect(invalid.ok).toBe(false);
    expect(!invalid.ok && invalid.error).toContain('detail.datasetId');
  });

  it('carries the id, pipeline, region and replay name of the event', () => {
    const event = parseNotificationEvent({
      ...lifecycleEvent('Dataset Accepted', TYPICAL_DETAILS['Dataset Accepted'], { id: 'abc', region: 'us-west-2' }),
      'replay-name': 'replay-1',
    });
    expect(event.ok && event.value).toMatchObject({
      id: 'abc',
      detailType: 'Dataset Accepted',
      pipeline: 'churn',
      region: 'us-west-2',
      replayName: 'replay-1',
    });
    const message = event.ok ? event.value.render(options) : undefined;
    expect(JSON.stringify(message)).toContain('replayed by `replay-1`');
  });
});
