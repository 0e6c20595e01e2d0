import { describe, expect, it } from 'vitest';
import { modelPackageApprovedPattern, parseModelPackageStateChange } from '../../../functions/events/aws-sagemaker';
import { toEventBridgePattern } from '../../../functions/events/event-pattern';
import { matchesPattern } from '../../../functions/events/pattern-match';
import { modelPackageEventDetail } from '../../../local/sagemaker/model-package-events';

/** DescribeModelPackage as moto 5.2.5 answers it (probed), epoch seconds on the wire. */
const description = {
  ModelPackageGroupName: 'churn',
  ModelPackageVersion: 3,
  ModelPackageArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3',
  CreationTime: 1795397202.935,
  InferenceSpecification: {
    Containers: [{ Image: 'img', ModelDataUrl: 's3://b/m.tar.gz' }],
    SupportedContentTypes: ['text/csv'],
    SupportedResponseMIMETypes: ['text/csv'],
  },
  ModelPackageStatus: 'Completed',
  ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
  CertifyForMarketplace: false,
  ModelApprovalStatus: 'Approved',
  CreatedBy: { UserProfileName: 'fake' },
};

describe('the local Model Package State Change event', () => {
  it('has the documented shape: the project parses it and the approval rule matches it', () => {
    const detail = modelPackageEventDetail(description, Date.parse('2026-11-23T01:30:00Z'));
    expect(detail).toMatchObject({
      CreationTime: '2026-11-23T01:26:42Z',
      LastModifiedTime: '2026-11-23T01:30:00Z',
      ModelApprovalStatus: 'Approved',
    });
    expect(detail).not.toHaveProperty('CreatedBy');
    const event = {
      version: '0',
      id: 'e1',
      'detail-type': 'SageMaker Model Package State Change',
      source: 'aws.sagemaker',
      account: '123456789012',
      time: '2026-11-23T01:30:00Z',
      region: 'us-east-1',
      resources: [description.ModelPackageArn],
      detail,
    };
    const parsed = parseModelPackageStateChange(event);
    expect(parsed).toMatchObject({
      ok: true,
      value: { modelPackageVersion: 3, approvalStatus: 'Approved', modelDataUrls: ['s3://b/m.tar.gz'] },
    });
    expect(matchesPattern(toEventBridgePattern(modelPackageApprovedPattern(['churn'])), event)).toBe(true);
  });

  it('defaults what moto leaves out', () => {
    const { ModelApprovalStatus: _, ModelPackageStatusDetails: __, ...bare } = description;
    const detail = modelPackageEventDetail(bare, 0);
    expect(detail.ModelApprovalStatus).toBe('PendingManualApproval');
    expect(detail.ModelPackageStatusDetails).toEqual({ ValidationStatuses: [], ImageScanStatuses: [] });
  });
});
