import { describe, expect, it } from 'vitest';
import { consoleLinks, consoleOrigin, isRegion } from '../../../functions/slack/console-links';
import {
  bold,
  code,
  formatDelta,
  formatFigure,
  formatPercent,
  formatTime,
  link,
  mention,
  preformatted,
  toMrkdwn,
  toPlain,
} from '../../../functions/slack/mrkdwn';

describe('mrkdwn', () => {
  it('escapes the control characters of literal text', () => {
    expect(toMrkdwn(['a < b & c > d'])).toBe('a &lt; b &amp; c &gt; d');
  });

  it('renders code spans that cannot be closed early and show control characters', () => {
    expect(toMrkdwn([code('a`b\nc\td')])).toBe('`aˋb\\nc\\td`');
    expect(toMrkdwn([code('')])).toBe('`""`');
    expect(toMrkdwn([code(null), ' ', code(3), ' ', code(0.123456), ' ', code(true)])).toBe(
      '`null` `3` `0.1235` `true`',
    );
  });

  it('renders bold text without stray asterisks', () => {
    expect(toMrkdwn([bold(' a*b ')])).toBe('*a∗b*');
    expect(toMrkdwn([bold('  ')])).toBe('');
  });

  it('renders links whose URL cannot break out of the markup', () => {
    expect(toMrkdwn([link('https://x.test/a b|c>', 'a|b <c>')])).toBe('<https://x.test/a%20b%7Cc%3E|a¦b &lt;c&gt;>');
  });

  it('passes mentions through and fences preformatted text', () => {
    expect(toMrkdwn([mention('<!subteam^S1>'), ' ', preformatted('x`y <z>')])).toBe(
      '<!subteam^S1> ```\nxˋy &lt;z&gt;\n```',
    );
  });

  it('writes plain text without markers, but escaped and with links and mentions', () => {
    expect(toPlain([mention('<!here>'), ' ', bold('b'), ' ', code('c<'), ' ', link('https://x.test', 'x')])).toBe(
      '<!here> b c&lt; <https://x.test|x>',
    );
  });

  it('formats figures, differences, percentages and times for people', () => {
    expect(formatFigure(1_234_567)).toBe('1,234,567');
    expect(formatFigure(0.912345)).toBe('0.9123');
    expect(formatFigure(1234.5678)).toBe('1,234.6');
    expect(formatDelta(0.0152)).toBe('+0.0152');
    expect(formatDelta(-0.02)).toBe('-0.02');
    expect(formatDelta(0)).toBe('±0');
    expect(formatPercent(1, 8)).toBe('12.5%');
    expect(formatPercent(1, 0)).toBe('n/a');
    expect(formatTime('2026-05-01T16:03:27+02:00')).toBe('2026-05-01 14:03 UTC');
  });
});

describe('console links', () => {
  const links = consoleLinks('eu-west-1');

  it('recognises region names', () => {
    expect(['eu-west-1', 'us-gov-west-1', 'cn-north-1', 'ap-southeast-2'].every(isRegion)).toBe(true);
    expect(['', 'eu-west', 'EU-WEST-1', 'x'.repeat(5)].some(isRegion)).toBe(false);
  });

  it('uses the console domain of the partition', () => {
    expect(consoleOrigin('eu-west-1')).toBe('https://eu-west-1.console.aws.amazon.com');
    expect(consoleOrigin('cn-north-1')).toBe('https://cn-north-1.console.amazonaws.cn');
    expect(consoleOrigin('us-gov-west-1')).toBe('https://console.amazonaws-us-gov.com');
  });

  it('links an S3 object with its key encoded', () => {
    expect(links.s3Object('b', 'a dir/ü+x.csv')).toBe(
      'https://eu-west-1.console.aws.amazon.com/s3/object/b?region=eu-west-1&bucketType=general&prefix=a%20dir%2F%C3%BC%2Bx.csv',
    );
  });

  it('links SageMaker pages of the region', () => {
    expect(links.trainingJob('job-1')).toBe(
      'https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/jobs/job-1',
    );
    expect(links.endpoint('ep')).toMatch(/#\/endpoints\/ep$/);
    expect(links.endpointConfig('cfg')).toMatch(/#\/endpointConfig\/cfg$/);
    expect(links.modelPackageGroup('grp')).toMatch(/#\/model-registry\/grp$/);
  });

  it('links CloudWatch log groups and dashboards with the console escaping', () => {
    expect(links.trainingJobLogs('job-1')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws$252Fsagemaker$252FTrainingJobs$3FlogStreamNameFilter$3Djob-1$252F',
    );
    expect(links.endpointLogs('ep')).toMatch(/log-group\/\$252Faws\$252Fsagemaker\$252FEndpoints\$252Fep$/);
    expect(links.dashboard('mlops-prod')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/mlops-prod',
    );
  });
});
