/**
 * The evaluation canary as the Verity construct builds it (lib/canary.ts): a daily schedule, an
 * alarm on its metric, and a role that may read the samples' prefix and call the four live-check
 * actions, nothing more (no table, bus, uploads or writes). The synthesis runs the policy checks
 * (cdk-nag, cfn-guard) as bin/verity.ts does; bundling is skipped, as `cdk synth --exclusively` does.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { routes } from '../../functions/routes';
import { addPolicyChecks } from '../../lib/policy-checks';
import { Verity, type VerityProps } from '../../lib/verity';
import { flatten } from '../support/templates';

const oneRoute = [routes.find((route) => route.name === 'UnrecognizedRequestUrl')!];

function synthesize(props: VerityProps) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Shop');
  new Verity(stack, 'Identity', { routes: oneRoute, ...props });
  addPolicyChecks(app);
  // Synthesizes (running the checks) and reads the parent with its rooms as one template (test/support/templates.ts).
  Template.fromStack(stack);
  return Template.fromJSON(flatten(stack));
}

describe('the evaluation canary', () => {
  const template = synthesize({ canary: { bucketName: 'shop-verity-samples', prefix: 'verity-canary/', similarityTolerance: 1.5 } });
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any }>;
  const [functionId, fn] = Object.entries(resources).find(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && /^Verity evaluation canary/.test(r.Properties.Description),
  )!;
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];

  it('runs once a day, told where the samples are and how far a similarity may move', () => {
    expect(fn.Properties.Environment.Variables).toMatchObject({
      VERITY_CANARY_BUCKET: 'shop-verity-samples',
      VERITY_CANARY_PREFIX: 'verity-canary/',
      VERITY_CANARY_SIMILARITY_TOLERANCE: '1.5',
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId, 'Arn'] }, DeadLetterConfig: Match.anyValue() })],
    });
  });

  it('alarms to the topic when a result moves, and when the canary fails', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Verity/Canary',
      MetricName: 'ResultsChanged',
      Threshold: 1,
      AlarmActions: [Match.anyValue()],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
    });
  });

  it('may read the samples prefix and call the four live-check actions, and nothing else', () => {
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: any) => role.Ref === roleId))
      .flatMap((r) => r.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const actions = new Set(statements.flatMap((s) => [s.Action].flat()));
    expect([...actions].sort()).toEqual(
      [
        'kms:Decrypt',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'rekognition:CompareFaces',
        'rekognition:DetectFaces',
        's3:GetObject',
        'textract:AnalyzeID',
        'textract:DetectDocumentText',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    expect(statements.filter((s) => [s.Action].flat().includes('s3:GetObject')).map((s) => s.Resource)).toEqual([
      'arn:aws:s3:::shop-verity-samples/verity-canary/*',
    ]);
    // No session, no event: nothing of the table, the bus or the uploads bucket.
    expect(JSON.stringify(statements)).not.toMatch(/dynamodb:|events:|Table|Uploads/);
    const role = resources[roleId]!;
    expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
  });

  it('is not built unless asked for, and refuses a bucket or prefix that cannot be one', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const without = new Verity(new Stack(app, 'Without'), 'Identity', { routes: oneRoute });
    expect(without.canary).toBeUndefined();
    expect(without.node.findAll().some((node) => node.node.id === 'Canary')).toBe(false);
    expect(() => new Verity(new Stack(app, 'A'), 'Identity', { routes: oneRoute, canary: { bucketName: 'Shop_Samples' } })).toThrow(
      /canary.bucketName must be an S3 bucket name, not "Shop_Samples"/,
    );
    expect(
      () => new Verity(new Stack(app, 'B'), 'Identity', { routes: oneRoute, canary: { bucketName: 'shop', prefix: 'canary' } }),
    ).toThrow(/canary.prefix must end in \//);
  });
});
