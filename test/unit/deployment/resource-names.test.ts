import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  deploymentIdFor,
  rollbackDeploymentId,
  SAGEMAKER_NAME_PATTERN,
  versionedResourceName,
  versionOfResourceName,
} from '../../../functions/deployment/resource-names';

describe('versionedResourceName', () => {
  it('gives the same name for the same request, whatever the order of its fields', () => {
    const a = versionedResourceName('churn', 7, { Image: 'img', Role: 'r', Env: { A: '1', B: '2' } });
    const b = versionedResourceName('churn', 7, { Env: { B: '2', A: '1' }, Role: 'r', Image: 'img' });
    expect(a).toBe(b);
    expect(a).toMatch(/^churn-v7-[0-9a-f]{8}$/);
  });

  it('gives another name when anything in the request changes (another stage has another role)', () => {
    expect(versionedResourceName('churn', 7, { Role: 'dev' })).not.toBe(
      versionedResourceName('churn', 7, { Role: 'prod' }),
    );
    expect(versionedResourceName('churn', 7, { Role: 'dev' })).not.toBe(
      versionedResourceName('churn', 8, { Role: 'dev' }),
    );
  });

  it('stays a valid SageMaker name of at most 63 characters for the longest pipeline name and version', () => {
    const name = versionedResourceName('p'.repeat(32), 9_999_999_999, { x: 1 });
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(SAGEMAKER_NAME_PATTERN);
  });

  it('fails on a name SageMaker would refuse', () => {
    expect(() => versionedResourceName('bad_name', 1, {})).toThrow(RangeError);
  });

  it('reads the version back, only for its own pipeline', () => {
    const name = versionedResourceName('churn', 12, {});
    expect(versionOfResourceName('churn', name)).toBe(12);
    expect(versionOfResourceName('churn-eu', name)).toBeUndefined();
    expect(versionOfResourceName('churn', 'churn-eu-v3-0a1b2c3d')).toBeUndefined();
  });
});

describe('deployment ids', () => {
  it('are stable for a redelivered event and differ between events and packages', () => {
    const arn = 'arn:aws:sagemaker:eu-west-1:1:model-package/churn/3';
    expect(deploymentIdFor(3, 'event-1', arn)).toBe(deploymentIdFor(3, 'event-1', arn));
    expect(deploymentIdFor(3, 'event-1', arn)).not.toBe(deploymentIdFor(3, 'event-2', arn));
    expect(deploymentIdFor(3, 'event-1', arn)).toMatch(/^v3-[0-9a-f]{12}$/);
    expect(rollbackDeploymentId('r1')).toBe(rollbackDeploymentId('r1'));
    expect(rollbackDeploymentId('r1')).not.toBe(rollbackDeploymentId('r2'));
  });

  it('canonical JSON sorts nested keys but keeps array order', () => {
    expect(canonicalJson({ b: [2, 1], a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":[2,1]}');
  });
});
