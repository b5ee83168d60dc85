/**
 * The deployable stack, synthesized offline with the real esbuild bundles: one Lambda and one
 * route per route-table entry, least privilege per function, the table, bus and alarms, and
 * no unacknowledged cdk-nag finding.
 */
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes, type Route } from '../../functions/routes';
import { addPolicyChecks } from '../../lib/policy-checks';
import { VerityStack } from '../../lib/verity-stack';
import { matchRoute } from '../../local/api-gateway';
import { newTestAccount } from '../support/accounts';
import { httpApiEvent, lambdaContext } from '../support/events';

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, any> };

function synthesize(routeTable: Route[] = routes) {
  const app = new App({ context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new VerityStack(app, 'Verity', { routes: routeTable });
  // As in bin/verity.ts: an unacknowledged cdk-nag finding makes this synthesis throw.
  addPolicyChecks(app);
  const template = Template.fromStack(stack);
  return { app, stack, template, resources: template.toJSON().Resources as Record<string, Resource>, outdir: app.outdir };
}

let synth: ReturnType<typeof synthesize>;
beforeAll(() => {
  synth = synthesize();
}, 120_000);

const ofType = (type: string) => Object.entries(synth.resources).filter(([, r]) => r.Type === type);
const resourceOf = (id: string) => synth.resources[id]!;
/** The function serving a route, found by the description the stack gives it. */
function functionOf(route: Route): [string, Resource] {
  const found = ofType('AWS::Lambda::Function').filter(([, r]) => r.Properties.Description === `Verity ${route.routeKey}`);
  expect(found, route.routeKey).toHaveLength(1);
  return found[0]!;
}
function statementsOf(fn: Resource): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  const role = fn.Properties.Role['Fn::GetAtt'][0];
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === role))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}
const actionsOf = (statement: { Action: string | string[] }) => [statement.Action].flat();
/** The statement that lets a function lease its accounts' requests (functions/store/rate-limits.ts). */
const isRateLimitGrant = (statement: { Action: string | string[]; Condition?: unknown }) => JSON.stringify(statement.Condition ?? {}).includes('"rate_limit#');
const tableId = () => ofType('AWS::DynamoDB::Table')[0]![0];

describe('one Lambda and one route per route-table entry', () => {
  it('has exactly the route table’s routes, each integrated with a function of its own', () => {
    const routeKeys = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    expect(routeKeys.sort()).toEqual(routes.map((route) => route.routeKey).sort());
    // One per route, the outbox publisher, the checks worker, the redaction worker and its backstop.
    expect(ofType('AWS::Lambda::Function')).toHaveLength(routes.length + 4);
    const integratedFunctions = ofType('AWS::ApiGatewayV2::Integration').map(([, i]) => i.Properties.IntegrationUri['Fn::GetAtt'][0]);
    expect(new Set(integratedFunctions).size).toBe(routes.length);
    for (const route of routes) expect(integratedFunctions).toContain(functionOf(route)[0]);
  });

  it('gives a new route-table entry both a local route and a Lambda behind the API', () => {
    const extra: Route = {
      name: 'RetrieveAgain',
      routeKey: 'GET /v1/identity/verification_sessions/{id}/again',
      handler: 'http/retrieve-verification-session',
      dynamodb: ['GetItem'],
      indexes: [],
      authenticated: true,
    };
    const table = [...routes, extra];
    expect(matchRoute('GET', '/v1/identity/verification_sessions/vs_1/again', table)).toMatchObject({
      route: { name: 'RetrieveAgain' },
      pathParameters: { id: 'vs_1' },
    });
    // Synthesized with one other route only: bundling every function again would only cost time.
    const { resources } = synthesize([routes[0]!, extra]);
    const types = Object.values(resources);
    expect(types.filter((r) => r.Type === 'AWS::Lambda::Function')).toHaveLength(2 + 4);
    expect(types.some((r) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.RouteKey === extra.routeKey)).toBe(true);
  }, 120_000);

  it('builds every function the same way: arm64, Node.js 24, ESM bundle, explicit memory and timeout, traced, logging to its own group', () => {
    const logGroups = new Map(ofType('AWS::Logs::LogGroup'));
    for (const route of routes) {
      const [, fn] = functionOf(route);
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: 10,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
      });
      const logGroup = logGroups.get(fn.Properties.LoggingConfig.LogGroup.Ref)!;
      expect(logGroup.Properties.RetentionInDays).toBe(90);
    }
  });

  it('gives the functions that read data the table, the public URL and the signing secret by reference only', () => {
    for (const route of routes.filter((r) => r.dynamodb.length > 0)) {
      const [, fn] = functionOf(route);
      const variables = fn.Properties.Environment.Variables;
      expect(variables.VERITY_TABLE_NAME).toEqual({ Ref: tableId() });
      expect(JSON.stringify(variables.VERITY_SIGNING_SECRET)).toContain('{{resolve:secretsmanager:');
      expect(variables.VERITY_PUBLIC_URL).toEqual({ 'Fn::GetAtt': [ofType('AWS::ApiGatewayV2::Api')[0]![0], 'ApiEndpoint'] });
      expect(fn.Properties.KmsKeyArn).toBeDefined();
    }
  });
});

describe('least privilege', () => {
  it('grants each function exactly the DynamoDB actions its route entry names, on the table and only its indexes', () => {
    const tableArn = { 'Fn::GetAtt': [tableId(), 'Arn'] };
    for (const route of routes) {
      const statements = statementsOf(functionOf(route)[1]).filter((s) => !isRateLimitGrant(s));
      const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo.flatMap(actionsOf).sort(), route.name).toEqual(route.dynamodb.map((a) => `dynamodb:${a}`).sort());
      for (const statement of dynamo) {
        const resources = [statement.Resource].flat();
        if (actionsOf(statement).includes('dynamodb:Query')) {
          expect(resources).toEqual(route.indexes.map((index) => ({ 'Fn::Join': ['', [tableArn, `/index/${index}`]] })));
        } else {
          expect(resources).toEqual([tableArn]);
        }
      }
    }
  });

  it('lets every authenticated function update its accounts\' request counters and no other item; the others not even those', () => {
    for (const route of routes) {
      const grants = statementsOf(functionOf(route)[1]).filter(isRateLimitGrant);
      if (!route.authenticated) {
        expect(grants, route.name).toEqual([]);
        continue;
      }
      expect(grants, route.name).toEqual([
        {
          Action: 'dynamodb:UpdateItem',
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [tableId(), 'Arn'] },
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['rate_limit#*'] } },
        },
      ]);
      const kms = statementsOf(functionOf(route)[1]).find((s) => actionsOf(s).includes('kms:Decrypt'))!;
      expect(actionsOf(kms), route.name).toContain('kms:Encrypt');
    }
  });

  it('gives retrieve GetItem, and PutItem only to renew a spent client_secret or url', () => {
    const retrieve = routes.find((r) => r.name === 'RetrieveVerificationSession')!;
    const actions = statementsOf(functionOf(retrieve)[1]).filter((s) => !isRateLimitGrant(s)).flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(actions).not.toContain('dynamodb:DeleteItem');
  });

  it('gives the list of reports Query on exactly its four indexes, and the page no index at all', () => {
    const list = routes.find((r) => r.name === 'ListVerificationReports')!;
    const [query] = statementsOf(functionOf(list)[1]).filter((s) => actionsOf(s).includes('dynamodb:Query'));
    expect(JSON.stringify(query!.Resource)).toContain('/index/by_verification_session');
    expect([query!.Resource].flat()).toHaveLength(4);
    for (const name of ['ShowVerificationPage', 'AnswerVerificationConsent', 'SubmitVerification']) {
      const actions = statementsOf(functionOf(routes.find((r) => r.name === name)!)[1]).flatMap(actionsOf);
      expect(actions.filter((a) => a.startsWith('dynamodb:')).sort(), name).toEqual(name === 'ShowVerificationPage' ? ['dynamodb:GetItem'] : ['dynamodb:GetItem', 'dynamodb:PutItem']);
    }
  });

  it('grants no wildcard action anywhere, and Resource * only to actions without resource-level permissions', () => {
    for (const [, policy] of ofType('AWS::IAM::Policy')) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        for (const action of actionsOf(statement)) expect(action).not.toContain('*');
        if (statement.Resource === '*') {
          expect(actionsOf(statement).every((a: string) => a.startsWith('xray:') || a === 'dynamodb:ListStreams')).toBe(true);
        }
      }
    }
    for (const [, role] of ofType('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('lets the unrecognized-URL function touch no data', () => {
    const actions = statementsOf(functionOf(routes.find((r) => r.name === 'UnrecognizedRequestUrl')!)[1]).flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('dynamodb:') || a === 'kms:Encrypt')).toEqual([]);
  });
});

describe('the rest of the stack', () => {
  it('throttles the stage and writes access logs without personal data', () => {
    const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
    const format = stage.Properties.AccessLogSettings.Format as string;
    expect(JSON.parse(format)).toHaveProperty('requestId', '$context.requestId');
    expect(format).not.toMatch(/sourceIp|userAgent|identity/);
  });

  it('creates the event bus, encrypted, with a dead-letter queue, and exports it', () => {
    const [[busId, bus]] = ofType('AWS::Events::EventBus') as [[string, Resource]];
    expect(bus.Properties.KmsKeyIdentifier).toBeDefined();
    expect(bus.Properties.DeadLetterConfig.Arn).toBeDefined();
    synth.template.hasOutput('EventBusName', { Value: { Ref: busId }, Export: { Name: 'Verity-EventBusName' } });
    synth.template.hasOutput('ApiUrl', {});
    synth.template.hasOutput('TableName', { Value: { Ref: tableId() } });
  });

  it('alarms on API 5xx rate and latency, every function’s errors and throttles, DynamoDB throttles and system errors, and the DLQ', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([id]) => id);
    const expected = [
      'Api5xxRate',
      'ApiLatencyP99',
      'TableThrottles',
      'TableSystemErrors',
      'EventBusDeadLettersDepth',
      'PublisherErrors',
      'PublisherThrottles',
      'PublisherIteratorAge',
      'PublisherDeadLettersDepth',
      'ChecksWorkerErrors',
      'ChecksWorkerThrottles',
      'ChecksWorkerIteratorAge',
      'ChecksDeadLettersDepth',
      'RedactionWorkerErrors',
      'RedactionWorkerThrottles',
      'RedactionWorkerIteratorAge',
      'RedactionDeadLettersDepth',
      'RedactionBackstopErrors',
      'RedactionBackstopThrottles',
      ...routes.flatMap((r) => [`${r.name}Errors`, `${r.name}Throttles`]),
    ];
    for (const name of expected) expect(alarms.some((id) => id.startsWith(`Alarms${name}`)), name).toBe(true);
    expect(alarms).toHaveLength(expected.length);
    for (const [, alarm] of ofType('AWS::CloudWatch::Alarm')) expect(alarm.Properties.AlarmActions).toHaveLength(1);
  });

  it('watches the DynamoDB operations Verity performs, transactional writes included', () => {
    for (const name of ['TableThrottles', 'TableSystemErrors']) {
      const [[, alarm]] = ofType('AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith(`Alarms${name}`)) as [[string, Resource]];
      const operations = JSON.stringify(alarm.Properties.Metrics);
      for (const operation of ["GetItem", "Query", "TransactWriteItems"]) expect(operations, name).toContain(`{"Name":"Operation","Value":"${operation}"}`);
    }
  });

  it('lets EventBridge, and only this bus, write to the bus’s dead-letter queue, which does not depend on the customer key', () => {
    const [[busId, bus]] = ofType('AWS::Events::EventBus') as [[string, Resource]];
    const queueId = bus.Properties.DeadLetterConfig.Arn['Fn::GetAtt'][0];
    expect(synth.resources[queueId]!.Properties.SqsManagedSseEnabled).toBe(true);
    const policy = ofType('AWS::SQS::QueuePolicy').find(([, p]) => p.Properties.Queues.some((q: { Ref: string }) => q.Ref === queueId))![1];
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Principal: { Service: 'events.amazonaws.com' },
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [busId, 'Arn'] } } },
      }),
    );
  });
});

describe('the outbox publisher', () => {
  const publisher = () => {
    const found = ofType('AWS::Lambda::Function').filter(([, r]) => r.Properties.Description?.startsWith('Verity outbox publisher'));
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('reads the table stream with bounded retries, bisection, partial batch failures, a filter and an on-failure queue', () => {
    const [fnId] = publisher();
    const [, mapping] = ofType('AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties.FunctionName.Ref === fnId)!;
    expect(mapping.Properties).toMatchObject({
      FunctionName: { Ref: fnId },
      EventSourceArn: { 'Fn::GetAtt': [tableId(), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 86400,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const queueIds = ofType('AWS::SQS::Queue').map(([id]) => id);
    expect(queueIds).toContain(mapping.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0]);
    expect(JSON.parse(mapping.Properties.FilterCriteria.Filters[0].Pattern)).toEqual({ eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: ['event'] } } } });
  });

  it('feeds the checks worker new and expired submissions only, with retries, bisection and its own encrypted on-failure queue', () => {
    const worker = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('VerificationChecksWorker'))!;
    const [, mapping] = ofType('AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties.FunctionName.Ref === worker[0])!;
    expect(mapping.Properties).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      ParallelizationFactor: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(mapping.Properties.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern))).toEqual([
      { eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: ['submission'] } } } },
      // Submissions TTL removes because nothing concluded them.
      { eventName: ['REMOVE'], dynamodb: { Keys: { sk: { S: ['submission'] } } } },
    ]);
    const queueId = mapping.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0];
    expect(resourceOf(queueId).Properties.KmsMasterKeyId).toBeDefined();
    const actions = statementsOf(worker[1]).flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'));
    expect(actions.sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:DescribeStream',
      'dynamodb:GetItem',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'dynamodb:PutItem',
    ]);
  });

  it('starts the redaction worker on removed job items and saved progress only, with retries and its own encrypted on-failure queue', () => {
    const worker = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('RedactionWorker'))!;
    const [, mapping] = ofType('AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties.FunctionName.Ref === worker[0])!;
    expect(mapping.Properties).toMatchObject({ StartingPosition: 'TRIM_HORIZON', BisectBatchOnFunctionError: true, MaximumRetryAttempts: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    // A long redaction holds up no other session of its shard.
    expect(mapping.Properties.ParallelizationFactor).toBe(10);
    expect(mapping.Properties.FilterCriteria.Filters.map((filter: { Pattern: string }) => JSON.parse(filter.Pattern))).toEqual([
      { eventName: ['REMOVE'], dynamodb: { Keys: { sk: { S: ['redaction_job'] } } } },
      { eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: ['redaction_progress'] } } } },
      { eventName: ['MODIFY'], dynamodb: { Keys: { sk: { S: ['redaction_progress'] } } } },
    ]);
    const queueId = mapping.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0];
    expect(resourceOf(queueId).Properties.KmsMasterKeyId).toBeDefined();
  });

  it('runs the redaction backstop every six hours', () => {
    const backstop = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('RedactionBackstop'))!;
    const rule = ofType('AWS::Events::Rule').find(([, r]) => r.Properties.ScheduleExpression)!;
    expect(rule[1].Properties.ScheduleExpression).toBe('rate(6 hours)');
    expect(JSON.stringify(rule[1].Properties.Targets)).toContain(backstop[0]);
  });

  it('lets the redaction functions touch only the table and the indexes redaction needs', () => {
    for (const prefix of ['RedactionWorker', 'RedactionBackstop']) {
      const [, fn] = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))!;
      const statements = statementsOf(fn);
      const actions = statements.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:') && !/Stream|GetRecords|GetShardIterator/.test(a));
      expect(actions.sort(), prefix).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
      const query = statements.find((s) => actionsOf(s).includes('dynamodb:Query'))!;
      const indexes = JSON.stringify(query.Resource);
      expect(indexes).toContain('/index/by_verification_session');
      expect(indexes.includes('/index/by_redaction_due'), prefix).toBe(prefix === 'RedactionBackstop');
    }
  });

  it('configures the redaction delay on every data function, and retention only when asked', () => {
    const [, create] = functionOf(routes.find((r) => r.name === 'CreateVerificationSession')!);
    expect(create.Properties.Environment.Variables.VERITY_REDACTION_DELAY_SECONDS).toBe('0');
    expect(create.Properties.Environment.Variables).not.toHaveProperty('VERITY_RETENTION_DAYS');
    const app = new App();
    const stack = new VerityStack(app, 'Retained', { routes: [routes.find((r) => r.name === 'CancelVerificationSession')!], retentionDays: 30, redactionDelaySeconds: 60 });
    const functions = Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, Resource>).filter((r) => r.Type === 'AWS::Lambda::Function');
    const cancel = functions.find((f) => String(f.Properties.Description).includes('/cancel'))!;
    expect(cancel.Properties.Environment.Variables).toMatchObject({ VERITY_RETENTION_DAYS: '30', VERITY_REDACTION_DELAY_SECONDS: '60' });
    const worker = functions.find((f) => String(f.Properties.Description).startsWith('Verity checks worker'))!;
    expect(worker.Properties.Environment.Variables.VERITY_RETENTION_DAYS).toBe('30');
  }, 120_000);

  it('may put events on this bus only, and change nothing in the table', () => {
    const [, fn] = publisher();
    const [[busId]] = ofType('AWS::Events::EventBus') as [[string, Resource]];
    const statements = statementsOf(fn);
    const putEvents = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('events:')));
    expect(putEvents.map((s) => [actionsOf(s), s.Resource])).toEqual([[['events:PutEvents'], { 'Fn::GetAtt': [busId, 'Arn'] }]]);
    const dynamo = statements.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'));
    expect(dynamo.sort()).toEqual(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams']);
    expect(fn.Properties.Environment.Variables.VERITY_EVENT_BUS_NAME).toEqual({ Ref: busId });
  });

  it('subscribes a target to chosen event types with a dead-letter queue and an alarm', () => {
    const app = new App();
    const stack = new VerityStack(app, 'Subscribed', { routes: [routes[0]!] });
    const queue = new Queue(stack, 'Inbox');
    stack.subscribe('Onboarding', {
      types: ['identity.verification_session.verified'],
      livemode: true,
      target: (props) => new SqsQueue(queue, props),
    });
    const template = Template.fromStack(stack);
    const [[, rule]] = Object.entries(template.findResources('AWS::Events::Rule')) as [[string, Resource]];
    expect(rule.Properties.EventPattern).toEqual({
      source: ['verity'],
      'detail-type': ['identity.verification_session.verified'],
      detail: { livemode: [true] },
    });
    expect(rule.Properties.Targets[0]).toMatchObject({ DeadLetterConfig: { Arn: expect.anything() }, RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 } });
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).some((id) => id.startsWith('AlarmsOnboardingDeadLettersDepth'))).toBe(true);
  }, 120_000);
});

describe('policy checks', () => {
  it('passes the cdk-nag AwsSolutions and Serverless packs: the synthesis above ran them and did not throw', () => {
    // What the packs find before acknowledgements: proof that they looked at this stack.
    const findings = [new AwsSolutionsChecks(synth.app), new ServerlessChecks(synth.app)].flatMap(
      (pack) => pack.validateScope(synth.stack).violations.map((v) => v.ruleName),
    );
    expect(findings).toEqual(
      expect.arrayContaining(['AwsSolutions-IAM5[Resource::*]', 'AwsSolutions-APIG4', 'Serverless-LambdaDLQ', 'AwsSolutions-SMG4']),
    );
  });

  it('fails the synthesis on a finding nobody acknowledged', () => {
    const app = new App();
    const stack = new Stack(app, 'Bad');
    new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }).addToPolicy(
      new PolicyStatement({ actions: ['dynamodb:*'], resources: ['*'] }),
    );
    addPolicyChecks(app);
    expect(() => app.synth()).toThrow();
  });
});

describe('the bundles', () => {
  const bundleOf = (route: Route) => join(synth.outdir, functionOf(route)[1].Metadata!['aws:asset:path'], 'index.mjs');
  const inputsOf = (route: Route) =>
    Object.keys(JSON.parse(readFileSync(bundleOf(route).replace(/index\.mjs$/, 'index.meta.json'), 'utf8')).inputs as object);

  it('stay under 400 KB each and carry no other endpoint’s handler', () => {
    for (const route of routes) {
      expect(statSync(bundleOf(route)).size, route.name).toBeLessThan(400 * 1024);
      const handlers = inputsOf(route).filter((input) => /functions\/http\/[a-z-]+\.ts$/.test(input));
      for (const other of routes.filter((r) => r.handler !== route.handler)) {
        expect(handlers.some((input) => input.endsWith(`functions/${other.handler}.ts`)), `${route.name} bundles ${other.handler}`).toBe(false);
      }
    }
    const unrecognized = routes.find((r) => r.name === 'UnrecognizedRequestUrl')!;
    expect(inputsOf(unrecognized).filter((input) => input.includes('@aws-sdk'))).toEqual([]);
  });

  it('run as Lambda runs them: the bundled create and retrieve handlers work against DynamoDB', async () => {
    const { secretKey } = await newTestAccount();
    const load = async (name: string) => {
      const module = await import(/* @vite-ignore */ pathToFileURL(bundleOf(routes.find((r) => r.name === name)!)).href);
      return module.handler as (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
    };
    const create = await load('CreateVerificationSession');
    const created = await create(httpApiEvent({ method: 'POST', path: '/v1/identity/verification_sessions', secretKey, form: 'type=document' }), lambdaContext);
    expect(created.statusCode).toBe(200);
    const { id } = JSON.parse(created.body);
    const retrieve = await load('RetrieveVerificationSession');
    const got = await retrieve(
      httpApiEvent({ method: 'GET', path: `/v1/identity/verification_sessions/${id}`, secretKey, pathParameters: { id } }),
      lambdaContext,
    );
    expect(JSON.parse(got.body)).toMatchObject({ id, status: 'requires_input' });
  });
});
