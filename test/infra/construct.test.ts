/**
 * The Verity construct as a user's app places it (lib/verity.ts): its props refused when no
 * deployment could use them, its members, and VerityStack's logical ids (the construct's `Default`
 * id is left out of them, so a stack deployed before the construct existed keeps its resources).
 * Bundling is skipped (as `cdk synth --exclusively` does): the bundles are not what is tested here.
 */
import { App, CfnOutput, NestedStack, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { routes } from '../../functions/routes';
import { Verity, type VerityProps } from '../../lib/verity';
import { VerityStack } from '../../lib/verity-stack';

const oneRoute = [routes.find((route) => route.name === 'UnrecognizedRequestUrl')!];
const unbundledApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

describe('the Verity construct', () => {
  it.each<[string, VerityProps, RegExp]>([
    ['a negative redaction delay', { redactionDelaySeconds: -1 }, /redactionDelaySeconds must be an integer of at least 0, not -1/],
    ['a fractional retention', { retentionDays: 1.5 }, /retentionDays must be an integer of at least 1, not 1.5/],
    ['no retention days', { retentionDays: 0 }, /retentionDays must be an integer of at least 1, not 0/],
    ['a zero rate', { throttle: { rateLimit: 0, burstLimit: 10 } }, /throttle.rateLimit must be a positive number, not 0/],
    [
      'a burst that is no count',
      { throttle: { rateLimit: 10, burstLimit: Number.NaN } },
      /throttle.burstLimit must be an integer of at least 1, not NaN/,
    ],
    ['an alarm address that is none', { alarmEmail: 'ops' }, /alarmEmail must be an e-mail address, not "ops"/],
    [
      'a domain behind the firewall',
      {
        firewall: { rateLimit: 100 },
        customDomain: { domainName: 'id.example.com', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/x' },
      },
      /cannot be combined/,
    ],
  ])('refuses %s, naming the prop', (_case, props, message) => {
    expect(() => new Verity(new Stack(unbundledApp(), 'Shop'), 'Identity', { routes: oneRoute, ...props })).toThrow(message);
  });

  it(
    "sits in a user's stack beside its resources, exposing its table, key, bus, API and URL, and subscribes a target with its own " +
      'dead-letter queue and alarm',
    () => {
      const stack = new Stack(unbundledApp(), 'Shop');
      const mine = new Queue(stack, 'Orders');
      const identity = new Verity(stack, 'Identity', { routes: oneRoute, alarmEmail: 'ops@example.com' });
      expect(identity.table).toBeInstanceOf(Table);
      expect(identity.key).toBeInstanceOf(Key);
      expect(identity.bus).toBeInstanceOf(EventBus);
      expect(identity.api.functions.size).toBe(1);
      expect(identity.url).toBe(identity.api.url);
      expect(stack.resolve(identity.url)).toEqual(stack.resolve(identity.api.httpApi.apiEndpoint));
      const rule = identity.subscribe('Onboarding', {
        types: ['identity.verification_session.verified'],
        target: (props) => new targets.SqsQueue(mine, props),
      });

      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: stack.resolve(identity.bus.eventBusName),
        EventPattern: Match.objectLike({ 'detail-type': ['identity.verification_session.verified'] }),
      });
      expect(stack.resolve((rule.node.defaultChild as unknown as { ref: string }).ref)).toEqual({
        Ref: expect.stringMatching(/^IdentityEventsOnboarding/),
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmDescription: 'OnboardingDeadLetters: messages are waiting in a dead-letter queue',
      });
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
      // The construct's resources are named under its id; the user's own (the queue, and the policy the target gave it) keep theirs.
      const ids = Object.keys(template.toJSON().Resources as object);
      expect(ids.filter((id) => !id.startsWith('Identity')).map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual([
        'Orders',
        'OrdersPolicy',
      ]);
    },
  );

  it('keeps the logical ids VerityStack had before it was a construct: no id carries the construct', () => {
    const stack = new VerityStack(unbundledApp(), 'Verity', { routes: oneRoute });
    const ids = Object.keys(Template.fromStack(stack).toJSON().Resources as object);
    expect(ids).toContain(stack.resolve((stack.verity.table.node.defaultChild as unknown as { logicalId: string }).logicalId));
    expect(ids.find((id) => id.startsWith('DataTable'))).toBeDefined();
    expect(ids.filter((id) => id.startsWith('Default'))).toEqual([]);
    Template.fromStack(stack).hasOutput('ApiUrl', {});
  });

  it('alarms on the account’s throttles alone when the workers reserve no concurrency, and on no one function’s', () => {
    const stack = new Stack(unbundledApp(), 'Shop');
    new Verity(stack, 'Identity', { routes: oneRoute, workerConcurrency: false });
    const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
    const throttles = Object.values(alarms).filter((alarm) => alarm.Properties.MetricName === 'Throttles');
    expect(throttles).toHaveLength(1);
    expect(throttles[0]!.Properties).toMatchObject({ Namespace: 'AWS/Lambda', Threshold: 1 });
    expect(throttles[0]!.Properties.Dimensions).toBeUndefined();
    expect(Object.keys(alarms).filter((id) => /Throttles/.test(id) && !id.startsWith('IdentityAlarmsTableThrottles'))).toEqual([
      expect.stringMatching(/^IdentityAlarmsUnreservedThrottles/),
    ]);
  });

  it("goes in a NestedStack of the user's stack, which then holds one resource for it", () => {
    const stack = new Stack(unbundledApp(), 'Shop');
    new Queue(stack, 'Orders');
    const nested = new NestedStack(stack, 'Identity');
    const identity = new Verity(nested, 'Default', { routes: oneRoute });
    new CfnOutput(stack, 'IdentityApi', { value: identity.url });
    const types = Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>)
      .map((r) => r.Type)
      .sort();
    expect(types).toEqual(['AWS::CloudFormation::Stack', 'AWS::SQS::Queue']);
    // Inside, the ids are VerityStack's (the construct's `Default` id is left out of them).
    const inside = Object.keys(Template.fromStack(nested).toJSON().Resources as object);
    expect(inside.find((id) => id.startsWith('DataTable'))).toBeDefined();
    expect(inside.filter((id) => id.startsWith('Default'))).toEqual([]);
  });
});
