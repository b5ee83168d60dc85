/**
 * Face Liveness in the stack (lib/liveness.ts): the browser role can only start liveness sessions
 * and only the liveness route's role may assume it; the route may create sessions, the checks
 * worker read results; the images go to the KMS-encrypted uploads bucket; a region without Face
 * Liveness is refused at synthesis; `faceLiveness: false` turns it off everywhere.
 */
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { routes } from '../../functions/routes';
import { Verity } from '../../lib/verity';
import { VerityStack } from '../../lib/verity-stack';
import { flatten, type Resource } from '../support/templates';

const livenessRoute = [routes.find((route) => route.name === 'CreateLivenessSession')!];
const unbundledApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const ofType = (resources: Record<string, Resource>, type: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);
/** Every statement of every IAM policy (inline or managed) in the template, with the policy's logical id. */
const statements = (resources: Record<string, Resource>) =>
  ofType(resources, 'AWS::IAM::Policy').flatMap(([id, policy]) =>
    (policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).map((statement) => ({
      id,
      roles: JSON.stringify(policy.Properties.Roles),
      actions: [statement.Action].flat(),
    })),
  );

describe('Face Liveness in the stack', () => {
  const stack = new VerityStack(unbundledApp(), 'Verity', { routes: livenessRoute, env: { region: 'eu-west-1', account: '123456789012' } });
  const { Resources } = flatten(stack);

  it('makes a browser role whose only right is rekognition:StartFaceLivenessSession, trusted by the liveness route alone', () => {
    const roles = ofType(Resources, 'AWS::IAM::Role').filter(([id]) => id.includes('FaceLivenessBrowserRole'));
    expect(roles).toHaveLength(1);
    const [roleId, role] = roles[0]!;
    const trust = role.Properties.AssumeRolePolicyDocument.Statement as { Principal: { AWS: unknown } }[];
    expect(trust).toHaveLength(1);
    expect(JSON.stringify(trust[0]!.Principal.AWS)).toMatch(/CreateLivenessSession/);
    const granted = statements(Resources).filter((statement) => statement.roles.includes(roleId));
    expect(granted.flatMap((statement) => statement.actions)).toEqual(['rekognition:StartFaceLivenessSession']);
  });

  it('lets the route create liveness sessions and assume the browser role, and the checks worker read results', () => {
    const all = statements(Resources);
    // The function's own role (the browser role sits beside it, its logical id starting with the function's).
    const actionsOf = (name: string) =>
      all
        .filter((statement) => statement.roles.includes(name) && !statement.roles.includes('FaceLivenessBrowserRole'))
        .flatMap((statement) => statement.actions);
    const route = actionsOf('CreateLivenessSession');
    expect(route).toEqual(expect.arrayContaining(['rekognition:CreateFaceLivenessSession', 'sts:AssumeRole', 's3:PutObject']));
    expect(route).not.toContain('rekognition:GetFaceLivenessSessionResults');
    expect(route).not.toContain('rekognition:StartFaceLivenessSession');
    const worker = actionsOf('ChecksWorker');
    expect(worker).toContain('rekognition:GetFaceLivenessSessionResults');
    expect(worker).not.toContain('rekognition:CreateFaceLivenessSession');
    // Nothing else anywhere may create liveness sessions or read their results.
    for (const statement of all) {
      if (statement.actions.includes('rekognition:CreateFaceLivenessSession')) expect(statement.roles).toMatch(/CreateLivenessSession/);
      if (statement.actions.includes('rekognition:StartFaceLivenessSession')) expect(statement.roles).toMatch(/FaceLivenessBrowserRole/);
      if (statement.actions.includes('rekognition:GetFaceLivenessSessionResults')) expect(statement.roles).toMatch(/ChecksWorker/);
    }
  });

  it('gives the route the browser role, the uploads bucket and the stack key as the output of Rekognition', () => {
    const [, fn] = ofType(Resources, 'AWS::Lambda::Function').find(([id]) => id.includes('CreateLivenessSession'))!;
    const environment = fn.Properties.Environment.Variables as Record<string, unknown>;
    expect(Object.keys(environment)).toEqual(
      expect.arrayContaining(['VERITY_FACE_LIVENESS_BROWSER_ROLE_ARN', 'VERITY_FACE_LIVENESS_BUCKET', 'VERITY_FACE_LIVENESS_KMS_KEY']),
    );
    expect(JSON.stringify(environment.VERITY_FACE_LIVENESS_KMS_KEY)).toMatch(/Key/);
    const [, bucket] = ofType(Resources, 'AWS::S3::Bucket').find(([id]) => id.includes('Uploads'))!;
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe(
      'aws:kms',
    );
  });

  it('refuses a stack region without Face Liveness, naming the regions and the off switch', () => {
    expect(
      () => new Verity(new Stack(unbundledApp(), 'Shop', { env: { region: 'eu-central-2' } }), 'Identity', { routes: livenessRoute }),
    ).toThrow(/Face Liveness is not available in the region eu-central-2: it is offered in us-east-1, us-west-2, .*faceLiveness: false/);
    expect(
      () =>
        new Verity(new Stack(unbundledApp(), 'Shop', { env: { region: 'eu-central-2' } }), 'Identity', {
          routes: livenessRoute,
          faceLiveness: false,
        }),
    ).not.toThrow();
  });

  it('turns liveness off everywhere with faceLiveness: false, and refuses a threshold out of range', () => {
    const off = flatten(new VerityStack(unbundledApp(), 'Off', { routes: livenessRoute, faceLiveness: false })).Resources;
    expect(ofType(off, 'AWS::IAM::Role').filter(([id]) => id.includes('FaceLivenessBrowserRole'))).toEqual([]);
    const functions = ofType(off, 'AWS::Lambda::Function').filter(([id]) => /CreateLivenessSession|ChecksWorker/.test(id));
    expect(functions).toHaveLength(2);
    for (const [, fn] of functions) expect(fn.Properties.Environment.Variables.VERITY_FACE_LIVENESS).toBe('off');
    expect(() => new VerityStack(unbundledApp(), 'Bad', { routes: livenessRoute, faceLiveness: { threshold: 120 } })).toThrow(
      /VERITY_FACE_LIVENESS_THRESHOLD must be a number from 0 to 100/,
    );
  });
});
