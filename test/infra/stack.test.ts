/**
 * The deployable stack, synthesized offline with the real esbuild bundles: one Lambda and one
 * route per route-table entry, least privilege per function, the table, bus and alarms, and
 * no unacknowledged cdk-nag finding.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Duration, NestedStack, Stack, Validations } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecretKey } from '../../functions/domain/api-keys';
import { routes, type Route } from '../../functions/routes';
import { PAGE_LANGUAGES } from '../../functions/domain/page-languages';
import { workers } from '../../functions/workers';
import { EVENT_KIND } from '../../functions/store/event-items';
import { IDEMPOTENCY_KIND } from '../../functions/store/idempotency';
import { redactionJobKey } from '../../functions/store/redaction-jobs';
import { logoId } from '../../functions/domain/logo-image';
import { livenessSettingsKey } from '../../functions/store/liveness-settings';
import {
  accountLogoKey,
  accountProfileKey,
  consoleLinkPartitionPrefix,
  consoleSessionPartitionPrefix,
  objectKey,
  tableSchema,
} from '../../functions/store/schema';
import { CONSOLE_AUDIT_KIND } from '../../functions/store/audit-log';
import { FILE_KIND, SUBMISSION_KIND } from '../../functions/store/submissions';
import { REPORT_KIND } from '../../functions/store/verification-reports';
import { MAX_METRICS_PER_ALARM } from '../../lib/alarms';
import { objectPartitionPatterns } from '../../lib/api';
import { UPLOADS_REDACTION_ACTIONS } from '../../lib/uploads';
import { addPolicyChecks } from '../../lib/policy-checks';
import { STRIPE_RATE_LIMITS } from '../../functions/domain/rate-limit';
import { VerityStack } from '../../lib/verity-stack';
import { roomOf, ROOMS, TEMPLATE_RESOURCE_BUDGET } from '../../lib/rooms';
import { flatten, templatesOf, type Resource } from '../support/templates';
import { STATEFUL_RESOURCES } from './stateful-resources';
import { matchRoute } from '../../local/api-gateway';
import { newTestAccount } from '../support/accounts';
import { httpApiEvent, lambdaContext } from '../support/events';
import { withDirectEsbuild } from '../support/direct-esbuild';

/**
 * An app whose stacks are synthesized without bundling (as `cdk synth --exclusively` leaves the others):
 * the same templates, with placeholder assets. Every synthesis but the one the bundle budgets read
 * uses it: a bundled one runs esbuild once per function, minutes on a busy 2-core machine.
 */
const templateApp = () => new App({ outdir: outdir(), context: { 'aws:cdk:bundling-stacks': [] } });
/** Every synthesis's cloud assembly, in one folder removed when the file ends (a bundled one is about 80 MB). */
const assemblies = mkdtempSync(join(tmpdir(), 'verity-stack-test-'));
const outdir = () => mkdtempSync(join(assemblies, 'cdk.out-'));
afterAll(() => rmSync(assemblies, { recursive: true, force: true }));

function synthesize(routeTable: Route[] = routes, { bundled = true } = {}) {
  const app = bundled ? new App({ outdir: outdir(), context: { 'aws:cdk:enable-asset-metadata': true } }) : templateApp();
  const stack = new VerityStack(app, 'Verity', { routes: routeTable });
  // As in bin/verity.ts: an unacknowledged cdk-nag finding makes this synthesis throw.
  addPolicyChecks(app);
  // The parent stack's own template; `resources` are every template's, as CloudFormation resolves them (test/support/templates.ts).
  const template = Template.fromStack(stack);
  return { app, stack, template, templates: templatesOf(stack), resources: flatten(stack).Resources, outdir: app.outdir };
}

/**
 * A synthesis bundles every function with esbuild, which takes about 30 s on an idle 2-core
 * machine and several minutes beside another test run: the limit catches a hang, not slowness.
 */
const SYNTH_TIMEOUT = 600_000;

let synth: ReturnType<typeof synthesize>;
beforeAll(() => {
  synth = withDirectEsbuild(() => synthesize());
}, SYNTH_TIMEOUT);

const ofType = (type: string) => Object.entries(synth.resources).filter(([, r]) => r.Type === type);
const resourceOf = (id: string) => synth.resources[id]!;
/** The function serving a route, found by the description the stack gives it. */
function functionOf(route: Route): [string, Resource] {
  const found = ofType('AWS::Lambda::Function').filter(([, r]) => r.Properties.Description === `Verity ${route.routeKey}`);
  expect(found, route.routeKey).toHaveLength(1);
  return found[0]!;
}
/** A function's statements, without its session-key grants (tested on their own: `sessionKeyStatementsOf`). */
function statementsOf(fn: Resource): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  return allStatementsOf(fn).filter((statement) => !isSessionKeyGrant(statement));
}
function allStatementsOf(fn: Resource): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  const role = fn.Properties.Role['Fn::GetAtt'][0];
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === role))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}
/** The key table: the table without a stream. */
const keyTableId = () => ofType('AWS::DynamoDB::Table').find(([, r]) => !r.Properties.StreamSpecification)![0];
const signingSecretId = () => ofType('AWS::SecretsManager::Secret').find(([id]) => id !== keySecretId())![0];
const keySecretId = () =>
  ofType('AWS::SecretsManager::Secret').find(([, r]) => String(r.Properties.Description).includes('key-encryption key'))![0];
/**
 * A grant of lib/data.ts grantSessionKeys: on the key table, on the key-encryption secret, or the stack key's use through Secrets Manager.
 */
const isSessionKeyGrant = (statement: { Resource: unknown; Condition?: unknown }) => {
  const text = JSON.stringify([statement.Resource, statement.Condition ?? null]);
  return text.includes(`"${keyTableId()}"`) || text.includes(`"${keySecretId()}"`) || text.includes('kms:ViaService');
};
const sessionKeyStatementsOf = (fn: Resource) => allStatementsOf(fn).filter(isSessionKeyGrant);
const actionsOf = (statement: { Action: string | string[] }) => [statement.Action].flat();
/** The statement that lets a function lease its accounts' requests (functions/store/rate-limits.ts). */
const isRateLimitGrant = (statement: { Action: string | string[]; Condition?: unknown }) =>
  JSON.stringify(statement.Condition ?? {}).includes('"rate_limit#');
/** The statement made of a route's `keyed` entry: its actions on its partitions only. */
const isKeyedGrant = (route: Route) => (statement: { Condition?: unknown }) =>
  route.keyed !== undefined &&
  JSON.stringify(statement.Condition ?? {}) ===
    JSON.stringify({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': route.keyed.partitionKeys } });
/** A statement of one of the route's further keyed grants (`alsoKeyed`: partitions of their own, functions/routes.ts). */
const isAlsoKeyedGrant = (route: Route) => (statement: { Condition?: unknown }) =>
  (route.alsoKeyed ?? []).some(
    (grant) =>
      JSON.stringify(statement.Condition ?? {}) ===
      JSON.stringify({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': grant.partitionKeys } }),
  );
/** A route's item fetches: BatchGetItem on the partitions of what its lean indexes found (`fetches`, functions/routes.ts). */
const isFetchGrant = (route: Route) => (statement: { Action: string | string[]; Condition?: unknown }) =>
  route.fetches !== undefined &&
  actionsOf(statement).includes('dynamodb:BatchGetItem') &&
  JSON.stringify(statement.Condition ?? {}) === JSON.stringify({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': route.fetches } });
/** IAM's StringLike, as a test of a key. */
const matchesAny = (patterns: string[]) => {
  const expressions = patterns.map(
    (pattern) =>
      new RegExp(
        `^${pattern
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      ),
  );
  return (key: string) => expressions.some((expression) => expression.test(key));
};
const tableId = () => ofType('AWS::DynamoDB::Table').find(([, r]) => r.Properties.StreamSpecification)![0];

describe('one Lambda and one route per route-table entry', () => {
  it('has exactly the route table’s routes, each integrated with a function of its own', () => {
    const routeKeys = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    expect(routeKeys.sort()).toEqual(routes.map((route) => route.routeKey).sort());
    // One per route, the outbox publisher, the checks stream and worker, the redaction worker and its backstop, the webhook delivery
    // worker, the funnel counter, the review watch, the blocklist check worker.
    expect(ofType('AWS::Lambda::Function')).toHaveLength(routes.length + 9);
    const integratedFunctions = ofType('AWS::ApiGatewayV2::Integration').map(([, i]) => i.Properties.IntegrationUri['Fn::GetAtt'][0]);
    expect(new Set(integratedFunctions).size).toBe(routes.length);
    for (const route of routes) expect(integratedFunctions).toContain(functionOf(route)[0]);
  });

  it(
    'gives a new route-table entry both a local route and a Lambda behind the API',
    () => {
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
      // Synthesized with one other route only, and unbundled: bundling would only cost time.
      const { resources } = synthesize([routes[0]!, extra], { bundled: false });
      const types = Object.values(resources);
      expect(types.filter((r) => r.Type === 'AWS::Lambda::Function')).toHaveLength(2 + 9);
      expect(types.some((r) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.RouteKey === extra.routeKey)).toBe(true);
    },
    SYNTH_TIMEOUT,
  );

  it(
    'builds every function the same way: arm64, Node.js 24, ESM bundle, explicit memory and timeout, traced, logging to its own ' + 'group',
    () => {
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
        expect(logGroup.Properties.RetentionInDays).toBe(365);
      }
    },
  );

  it('keeps every log group a year, encrypted with the stack key, which CloudWatch Logs may use for this account’s log groups only', () => {
    const [[keyId, key]] = ofType('AWS::KMS::Key') as [[string, Resource]];
    expect(ofType('AWS::Logs::LogGroup').length).toBe(routes.length + 9 + 1);
    for (const [, logGroup] of ofType('AWS::Logs::LogGroup')) {
      expect(logGroup.Properties).toMatchObject({ RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    }
    const logs = key.Properties.KeyPolicy.Statement.find((s: { Sid?: string }) => s.Sid === 'CloudWatchLogsOfThisAccount');
    expect(logs.Principal).toEqual({ Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } });
    expect(JSON.stringify(logs.Condition)).toContain('kms:EncryptionContext:aws:logs:arn');
    expect(actionsOf(logs).every((a) => !a.includes('*'))).toBe(true);
  });

  it('denies grants on the key unless they are for an AWS resource or made by an AWS service', () => {
    const [[, key]] = ofType('AWS::KMS::Key') as [[string, Resource]];
    expect(key.Properties.KeyPolicy.Statement).toContainEqual({
      Sid: 'GrantsOnlyForAwsResources',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    });
  });

  it('gives the functions that read data the table, the public URL, and where to read the signing secret, never the secret', () => {
    const secretId = signingSecretId();
    for (const route of routes.filter((r) => r.dynamodb.length > 0)) {
      const [, fn] = functionOf(route);
      const variables = fn.Properties.Environment.Variables;
      expect(variables.VERITY_TABLE_NAME).toEqual({ Ref: tableId() });
      expect(variables.VERITY_SIGNING_SECRET_ARN).toEqual({ Ref: secretId });
      expect(variables.VERITY_PUBLIC_URL).toEqual({ 'Fn::GetAtt': [ofType('AWS::ApiGatewayV2::Api')[0]![0], 'ApiEndpoint'] });
      expect(fn.Properties.KmsKeyArn).toBeDefined();
      const reads = statementsOf(fn).filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
      expect(
        reads.map((s) => [actionsOf(s), s.Resource]),
        route.name,
      ).toEqual([[['secretsmanager:GetSecretValue'], { Ref: secretId }]]);
    }
  });

  it('puts no secret in any function’s configuration, and lets no other function read the signing secret', () => {
    const secretId = signingSecretId();
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const variables = JSON.stringify(fn.Properties.Environment?.Variables ?? {});
      expect(variables, id).not.toMatch(/resolve:secretsmanager|resolve:ssm-secure|SecretString/);
      expect(variables, id).not.toMatch(/"VERITY_SIGNING_SECRET"/);
    }
    // The session-key secret's readers are tested with the session keys (least privilege).
    const readers = ofType('AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument.Statement.filter((st: never) => !isSessionKeyGrant(st))).includes('secretsmanager:'),
    );
    const dataRoutes = routes.filter((r) => r.dynamodb.length > 0);
    // And the webhook delivery worker, which derives each endpoint's secret to sign with.
    expect(readers).toHaveLength(dataRoutes.length + 1);
    for (const [, policy] of readers) expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain(`{"Ref":"${secretId}"}`);
  });
});

describe('least privilege', () => {
  it('grants each function exactly the DynamoDB actions its route entry names, on the table and only its indexes', () => {
    const tableArn = { 'Fn::GetAtt': [tableId(), 'Arn'] };
    for (const route of routes) {
      const statements = statementsOf(functionOf(route)[1]).filter(
        (s) => !isKeyedGrant(route)(s) && !isAlsoKeyedGrant(route)(s) && !isFetchGrant(route)(s),
      );
      // (A fetch grant may name the same partitions as the keyed one: EndConsoleOperator's links and sessions.)
      const keyed = statementsOf(functionOf(route)[1]).filter((s) => isKeyedGrant(route)(s) && !isFetchGrant(route)(s));
      expect(
        statementsOf(functionOf(route)[1])
          .filter(isFetchGrant(route))
          .map((s) => [actionsOf(s), s.Resource]),
        route.name,
      ).toEqual(route.fetches ? [[['dynamodb:BatchGetItem'], tableArn]] : []);
      expect(
        keyed.map((s) => [actionsOf(s), s.Resource]),
        route.name,
      ).toEqual(route.keyed ? [[route.keyed.actions.map((a) => `dynamodb:${a}`), tableArn]] : []);
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

  it('lets a route batch-read only the partitions of the items its lean index pages fetch, as a GetItem of them would', () => {
    const tableArn = JSON.stringify({ 'Fn::GetAtt': [tableId(), 'Arn'] });
    const batchReaders: string[] = [];
    for (const route of routes) {
      const batch = statementsOf(functionOf(route)[1]).filter((s) => actionsOf(s).includes('dynamodb:BatchGetItem'));
      for (const statement of batch) {
        expect(JSON.stringify(statement.Resource), route.name).toBe(tableArn);
        expect(actionsOf(statement), route.name).toEqual(['dynamodb:BatchGetItem']);
        // Never the whole table: a BatchGetItem without the condition would read any item (API keys, other kinds) by its key.
        expect(statement.Condition, route.name).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': route.fetches } });
        expect(route.fetches?.length, route.name).toBeGreaterThan(0);
      }
      if (batch.length) batchReaders.push(route.name);
    }
    expect(batchReaders.length).toBeGreaterThan(0);
    const scope = { account: 'acct_1Abc', mode: 'live' } as const;
    const fetchable = (name: string) => matchesAny(routes.find((r) => r.name === name)!.fetches ?? []);
    const session = objectKey(scope, 'vs_0000abcdEFGHijklMNOPqrst', 'verification_session').pk;
    const report = objectKey(scope, 'vr_0000abcdEFGHijklMNOPqrst', REPORT_KIND).pk;
    const event = objectKey(scope, 'evt_0000abcdEFGHijklMNOPqrst', EVENT_KIND).pk;
    const apiKey = `api_key#${hashSecretKey('sk_live_x')}`;
    // What each page shows comes back from its batch (AWS would refuse the page otherwise), and nothing more.
    expect([session, report, event].map(fetchable('ListConsoleSessions'))).toEqual([true, false, false]);
    expect([session, report, event].map(fetchable('ShowConsoleSession'))).toEqual([false, true, true]);
    expect([session, report, event].map(fetchable('RevealConsoleSession'))).toEqual([false, true, true]);
    expect([session, report, event].map(fetchable('ListVerificationSessions'))).toEqual([true, false, false]);
    expect([session, report, event].map(fetchable('ListVerificationReports'))).toEqual([false, true, false]);
    expect([session, report, event].map(fetchable('ListEvents'))).toEqual([false, false, true]);
    for (const name of batchReaders) {
      expect(fetchable(name)(apiKey), name).toBe(false);
      expect(fetchable(name)('rate_limit#acct_1Abc#live'), name).toBe(false);
      expect(fetchable(name)(accountProfileKey('acct_1Abc').pk), name).toBe(false);
    }
  });

  it("lets every authenticated function update its accounts' request counters and no other item; the others not even those", () => {
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
    const actions = statementsOf(functionOf(retrieve)[1])
      .filter((s) => !isRateLimitGrant(s))
      .flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(actions).not.toContain('dynamodb:DeleteItem');
  });

  it('gives the list of reports Query on exactly its four indexes, and the page no index at all', () => {
    const list = routes.find((r) => r.name === 'ListVerificationReports')!;
    const [query] = statementsOf(functionOf(list)[1]).filter((s) => actionsOf(s).includes('dynamodb:Query'));
    expect(JSON.stringify(query!.Resource)).toContain('/index/by_verification_session');
    expect([query!.Resource].flat()).toHaveLength(4);
    for (const name of ['ShowVerificationPage', 'AnswerVerificationConsent', 'SubmitVerification']) {
      const route = routes.find((r) => r.name === name)!;
      const actions = statementsOf(functionOf(route)[1])
        .filter((s) => !isKeyedGrant(route)(s))
        .flatMap(actionsOf);
      // Submit also checks a phone's hand-off epoch in its transaction (ConditionCheckItem, store/handoffs.ts).
      const expected = {
        ShowVerificationPage: ['dynamodb:GetItem'],
        AnswerVerificationConsent: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        SubmitVerification: ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
      }[name];
      expect(actions.filter((a) => a.startsWith('dynamodb:')).sort(), name).toEqual(expected);
    }
  });

  it('lets the console functions get, put and query only: no update or delete on any item, the audit log included', () => {
    const consoleRoutes = routes.filter((r) => r.handler.startsWith('console/'));
    expect(consoleRoutes.length).toBe(16);
    const scope = { account: 'acct_1Abc', mode: 'live' } as const;
    const auditKey = objectKey(scope, 'cae_0000abcdEFGHijklMNOPqrst', CONSOLE_AUDIT_KIND).pk;
    const apiKey = `api_key#${hashSecretKey('sk_live_x')}`;
    for (const route of consoleRoutes) {
      const statements = statementsOf(functionOf(route)[1]);
      const actions = statements.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'));
      for (const action of [
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:PartiQLUpdate',
        'dynamodb:PartiQLDelete',
      ]) {
        // Deciding a held verdict deletes its submission and queue item (alsoKeyed, functions/routes.ts): that route alone.
        if (route.name === 'OverrideConsoleSession' && action === 'dynamodb:DeleteItem') continue;
        expect(actions, route.name).not.toContain(action);
      }
      // Every item action on the table is bound to partitions: the account objects the page touches, or the console's own items.
      const onTable = (st: { Resource: unknown }) => JSON.stringify(st.Resource) === JSON.stringify({ 'Fn::GetAtt': [tableId(), 'Arn'] });
      for (const statement of statements.filter(
        (st) => onTable(st) && actionsOf(st).some((a) => a.startsWith('dynamodb:') && a !== 'dynamodb:Query'),
      )) {
        const patterns = (statement.Condition as { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': string[] } })[
          'ForAllValues:StringLike'
        ]['dynamodb:LeadingKeys'];
        const allowed = matchesAny(patterns);
        expect(allowed(apiKey), route.name).toBe(false);
        expect(allowed('rate_limit#acct_1Abc#live'), route.name).toBe(false);
        expect(allowed(accountProfileKey('acct_1Abc').pk), route.name).toBe(false);
      }
      const writes = statements.filter((st) => onTable(st) && actionsOf(st).includes('dynamodb:PutItem'));
      const appendsAudit = writes.some((st) =>
        matchesAny((st.Condition as any)['ForAllValues:StringLike']['dynamodb:LeadingKeys'])(auditKey),
      );
      expect(appendsAudit, route.name).toBe(
        [
          'ConsoleSignIn',
          'ConsoleSignOut',
          'RevealConsoleSession',
          // Revealing a held verdict in the review queue is recorded, as a session's reveal is.
          'RevealConsoleReviews',
          'CancelConsoleSession',
          'RedactConsoleSession',
          'OverrideConsoleSession',
          'ShowConsoleFile',
          'EndConsoleOperator',
        ].includes(route.name),
      );
    }
    const keyedOf = (name: string) => matchesAny(routes.find((r) => r.name === name)!.keyed!.partitionKeys);
    expect(keyedOf('ConsoleSignIn')(`${consoleLinkPartitionPrefix}abc`)).toBe(true);
    expect(keyedOf('ShowConsoleSession')(`${consoleLinkPartitionPrefix}abc`)).toBe(false);
    expect(keyedOf('ShowConsoleSession')(`${consoleSessionPartitionPrefix}abc`)).toBe(true);
    // Ending an operator's access puts their sessions and links; listing it puts nothing of the console's.
    expect(
      keyedOf('EndConsoleOperator')(`${consoleLinkPartitionPrefix}abc`) &&
        keyedOf('EndConsoleOperator')(`${consoleSessionPartitionPrefix}abc`),
    ).toBe(true);
    expect(routes.find((r) => r.name === 'ListConsoleOperators')!.keyed!.actions).toEqual(['GetItem']);
    // No function outside the console may touch console links or sessions.
    for (const route of routes.filter((r) => !r.handler.startsWith('console/'))) {
      expect(JSON.stringify(statementsOf(functionOf(route)[1])), route.name).not.toMatch(/console_(link|session)#/);
    }
  });

  it('grants no wildcard action anywhere, and Resource * only to actions without resource-level permissions', () => {
    for (const [, policy] of ofType('AWS::IAM::Policy')) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        for (const action of actionsOf(statement)) expect(action).not.toContain('*');
        if (statement.Resource === '*') {
          expect(
            actionsOf(statement).every(
              (a: string) =>
                a.startsWith('xray:') ||
                a === 'dynamodb:ListStreams' ||
                LIVE_CHECK_ACTIONS.includes(a) ||
                FACE_LIVENESS_ACTIONS.includes(a),
            ),
          ).toBe(true);
        }
      }
    }
    for (const [, role] of ofType('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it("lets the modal's routes read only the session a secret names, publishable keys and profiles", () => {
    for (const name of ['OpenVerificationFrame', 'ShowVerificationFrame', 'PreflightVerificationFrames']) {
      const route = routes.find((r) => r.name === name)!;
      const statements = statementsOf(functionOf(route)[1]).filter((st) =>
        [st.Action].flat().some((a: string) => a.startsWith('dynamodb:')),
      );
      const leadingKeys = statements.map((st) => (st.Condition as any)?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']);
      // Every grant is narrowed to partitions: sessions (`vs`) for the frame check, and the key table's
      // publishable keys and profiles; never a secret key's item.
      for (const keys of leadingKeys) expect(keys, name).toBeDefined();
      const flat = leadingKeys.flat().map((k) => JSON.stringify(k));
      expect(
        flat.some((k) => k.includes('sk_') || k.includes('rk_')),
        name,
      ).toBe(false);
      expect(
        statements.flatMap((st) => [st.Action].flat()).every((a: string) => a === 'dynamodb:GetItem'),
        name,
      ).toBe(true);
    }
  });

  it('lets the page functions reach only sessions, submissions, files and events, never an API key or anything else', () => {
    // The modal's routes are checked apart below: they read the one session a client secret names, and a publishable key.
    const modal = ['OpenVerificationFrame', 'ShowVerificationFrame', 'PreflightVerificationFrames'];
    const pageRoutes = routes.filter(
      (r) => !r.authenticated && r.dynamodb.length > 0 && !r.handler.startsWith('console/') && !modal.includes(r.name),
    );
    expect(pageRoutes.map((r) => r.name).sort()).toEqual([
      'AnswerVerificationConsent',
      'CreateCaptureNonce',
      'CreateLivenessSession',
      'CreateVerificationHandoff',
      'CreateVerificationUpload',
      'FollowVerificationPage',
      'OpenVerificationHandoff',
      'ShowVerificationPage',
      'SubmitVerification',
    ]);
    // The hand-off routes (docs/hosted-page.md, *Continue on a phone*) and the capture nonces' touch only the session's own partition.
    const sessionOnly = ['CreateCaptureNonce', 'CreateVerificationHandoff', 'FollowVerificationPage', 'OpenVerificationHandoff'];
    for (const route of pageRoutes) {
      const dynamo = statementsOf(functionOf(route)[1]).filter(
        (s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')) && !isKeyedGrant(route)(s),
      );
      expect(dynamo.length, route.name).toBeGreaterThan(0);
      for (const statement of dynamo) {
        expect((statement as { Condition?: unknown }).Condition, route.name).toEqual({
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': objectPartitionPatterns(sessionOnly.includes(route.name) ? ['vs'] : ['vs', 'vsub', 'file', 'evt']),
          },
        });
      }
    }
    // The patterns against the keys the store really builds, read as IAM reads StringLike.
    const allowed = matchesAny(objectPartitionPatterns(pageRoutes[0]!.objects!));
    const id = (prefix: string) => `${prefix}_0000abcdEFGHijklMNOPqrst`;
    for (const scope of [
      { account: 'acct_1Abc', mode: 'test' },
      { account: 'acct_Zz9', mode: 'live' },
    ] as const) {
      for (const [prefix, kind] of [
        ['vs', 'verification_session'],
        ['vsub', SUBMISSION_KIND],
        ['file', FILE_KIND],
        ['evt', EVENT_KIND],
      ]) {
        expect(allowed(objectKey(scope, id(prefix!), kind!).pk), kind).toBe(true);
      }
      expect(allowed(redactionJobKey(scope, id('vs')).pk)).toBe(true);
      // A hand-off link's item lives in its session's partition: the hand-off routes' narrower grant reaches it.
      expect(matchesAny(objectPartitionPatterns(['vs']))(objectKey(scope, id('vs'), 'handoff#0').pk)).toBe(true);
      expect(allowed(objectKey(scope, id('vr'), REPORT_KIND).pk)).toBe(false);
      expect(allowed(objectKey(scope, 'idem_Qm9vc3Q', IDEMPOTENCY_KIND).pk)).toBe(false);
    }
    // An API key's item (functions/store/api-keys.ts): its partition key is the key's hash.
    expect(allowed(`api_key#${hashSecretKey('sk_test_x')}`)).toBe(false);
    expect(allowed(accountProfileKey('acct_1Abc').pk)).toBe(false);
  });

  it('lets the HTML page functions read account profiles and write none, and the logo function read logos and nothing else', () => {
    const logoKey = accountLogoKey(logoId('acct_1Abc', Buffer.from('image'))).pk;
    const profileKey = accountProfileKey('acct_1Abc').pk;
    const others = [
      objectKey({ account: 'acct_1Abc', mode: 'live' }, 'vs_0000abcdEFGHijklMNOPqrst', 'verification_session').pk,
      `api_key#${hashSecretKey('sk_test_x')}`,
      'rate_limit#acct_1Abc#test',
    ];
    const keyedGrants = (name: string) => {
      const route = routes.find((r) => r.name === name)!;
      return statementsOf(functionOf(route)[1]).filter(isKeyedGrant(route));
    };
    for (const name of ['ShowVerificationPage', 'AnswerVerificationConsent']) {
      const [grant, ...more] = keyedGrants(name);
      expect(more, name).toEqual([]);
      expect(actionsOf(grant!), name).toEqual(['dynamodb:GetItem']);
      const allowed = matchesAny(routes.find((r) => r.name === name)!.keyed!.partitionKeys);
      expect(allowed(profileKey)).toBe(true);
      for (const key of [logoKey, ...others]) expect(allowed(key), key).toBe(false);
    }
    // Submitting shows no page: it needs no profile.
    expect(keyedGrants('SubmitVerification')).toEqual([]);
    // The liveness route reads the account's liveness settings (its challenge), and no other account item.
    const [liveness, ...moreLiveness] = keyedGrants('CreateLivenessSession');
    expect(moreLiveness).toEqual([]);
    expect(actionsOf(liveness!)).toEqual(['dynamodb:GetItem']);
    const livenessAllowed = matchesAny(routes.find((r) => r.name === 'CreateLivenessSession')!.keyed!.partitionKeys);
    expect(livenessAllowed(livenessSettingsKey({ account: 'acct_1Abc', mode: 'live' }).pk)).toBe(true);
    for (const key of [profileKey, logoKey, ...others]) expect(livenessAllowed(key), key).toBe(false);
    const logo = routes.find((r) => r.name === 'ShowAccountLogo')!;
    const dynamo = statementsOf(functionOf(logo)[1]).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.map((s) => [actionsOf(s), s.Condition])).toEqual([
      [['dynamodb:GetItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['account_logo#*'] } }],
    ]);
    const allowed = matchesAny(logo.keyed!.partitionKeys);
    expect(allowed(logoKey)).toBe(true);
    for (const key of [profileKey, ...others]) expect(allowed(key), key).toBe(false);
    // It can decrypt the table's items, and encrypt nothing; it gets the table's name, and no secret.
    const kms = statementsOf(functionOf(logo)[1]).find((s) => actionsOf(s).includes('kms:Decrypt'))!;
    expect(actionsOf(kms)).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    expect(Object.keys(functionOf(logo)[1].Properties.Environment.Variables)).toContain('VERITY_TABLE_NAME');
    expect(JSON.stringify(functionOf(logo)[1].Properties.Environment.Variables)).not.toContain('SIGNING_SECRET');
  });

  it('lets the unrecognized-URL function touch no data', () => {
    const actions = statementsOf(functionOf(routes.find((r) => r.name === 'UnrecognizedRequestUrl')!)[1]).flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('dynamodb:') || a === 'kms:Encrypt')).toEqual([]);
    expect(sessionKeyStatementsOf(functionOf(routes.find((r) => r.name === 'UnrecognizedRequestUrl')!)[1])).toEqual([]);
  });

  it('gives session keys only to the functions that open, make or shred sealed values: who has which', () => {
    const keyTableArn = { 'Fn::GetAtt': [keyTableId(), 'Arn'] };
    /**
     * Everything else opens keys: every other route (sessions, reports, events, files, the page, the console's session pages) and the three
     * workers named here.
     */
    const expected: Record<'none' | 'make' | 'shred', string[]> = {
      // Console sign-in and sign-out, the audit log, the operators page, webhook endpoints and their deliveries: nothing of a session.
      none: [
        'ShowConsoleSignIn',
        // The liveness step's island and WASM files: static, no data.
        'ShowLivenessAsset',
        'ConsoleSignIn',
        'ConsoleSignOut',
        'ListConsoleAudit',
        'ListConsoleAuditEvents',
        // The funnel: counters of stages and error codes, read from and written by what the stream carries in clear.
        'ShowConsoleFunnel',
        'funnel counter',
        'ListConsoleOperators',
        'EndConsoleOperator',
        'CreateWebhookEndpoint',
        'ListWebhookEndpoints',
        'RetrieveWebhookEndpoint',
        'UpdateWebhookEndpoint',
        'DeleteWebhookEndpoint',
        'ListWebhookDeliveries',
        'ShowAccountLogo',
        // The modal's frame: the page's shell, its steps come later with the client secret.
        'ShowVerificationFrame',
        // Blocklist entries hold a keyed hash of a document and ids, no sealed value of a session.
        'ListBlocklistEntries',
        'RetrieveBlocklistEntry',
        'DisableBlocklistEntry',
        // The check's CORS preflight: the key and the profile's origins, nothing of a session.
        'PreflightVerificationFrames',
        'UnrecognizedRequestUrl',
        // It puts events on the bus as redaction leaves them, with no key (functions/streams/publish-events.ts).
        'outbox publisher',
      ],
      make: ['CreateVerificationSession'],
      // A redact request destroys the key in its own transaction; the job's workers tidy.
      shred: ['RedactVerificationSession', 'RedactConsoleSession', 'redaction worker', 'redaction backstop'],
    };
    const workerNames =
      'outbox publisher|checks stream|checks worker|redaction worker|redaction backstop|webhook delivery worker|funnel counter|' +
      'blocklist check';
    const workers = ofType('AWS::Lambda::Function').filter(([, r]) =>
      new RegExp(`^Verity (${workerNames})`).test(r.Properties.Description),
    );
    expect(workers).toHaveLength(8);
    const all: [string, string, Resource][] = [
      ...routes.map((route) => [route.name, ...functionOf(route)] as [string, string, Resource]),
      ...workers.map(([id, fn]) => [/^Verity ([a-z ]+?)(:|$)/.exec(fn.Properties.Description)![1]!, id, fn] as [string, string, Resource]),
    ];
    const useOf = (name: string) =>
      (Object.entries(expected).find(([, names]) => names.includes(name))?.[0] ?? 'open') as 'none' | 'open' | 'make' | 'shred';
    const granted: Record<string, string[]> = { none: [], open: [], make: [], shred: [] };
    for (const [name, id, fn] of all) {
      const grants = sessionKeyStatementsOf(fn);
      const onTable = grants.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(keyTableArn));
      const actions = onTable.flatMap(actionsOf).sort();
      const readsSecret = grants.flatMap(actionsOf).includes('secretsmanager:GetSecretValue');
      const use =
        !actions.length && !readsSecret
          ? 'none'
          : actions.includes('dynamodb:PutItem')
            ? useOf(name) === 'shred'
              ? 'shred'
              : 'make'
            : 'open';
      granted[use]!.push(name);
      if (use === 'none') {
        expect(grants, id).toEqual([]);
        expect(Object.keys(fn.Properties.Environment?.Variables ?? {}), id).not.toContain('VERITY_KEY_ENCRYPTION_SECRET_ARN');
        continue;
      }
      expect(actions, id).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', ...(use === 'open' ? [] : ['dynamodb:PutItem'])]);
      // Only the key items' own partitions: a session's.
      for (const statement of onTable)
        expect(statement.Condition, id).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': objectPartitionPatterns(['vs']) } });
      expect(readsSecret, id).toBe(true);
      expect(fn.Properties.Environment.Variables, id).toMatchObject({
        VERITY_KEY_TABLE_NAME: { Ref: keyTableId() },
        VERITY_KEY_ENCRYPTION_SECRET_ARN: { Ref: keySecretId() },
      });
    }
    expect(granted.none!.sort()).toEqual([...expected.none].sort());
    expect(granted.make).toEqual(expected.make);
    expect(granted.shred!.sort()).toEqual([...expected.shred].sort());
    expect(granted.open!.sort()).toEqual(
      all
        .map(([name]) => name)
        .filter((name) => useOf(name) === 'open')
        .sort(),
    );
    // The route table says the same as the template.
    for (const route of routes) expect(route.sessionKeys ?? 'none', route.name).toBe(useOf(route.name));
    // Nothing anywhere may delete from the key table.
    for (const [, policy] of ofType('AWS::IAM::Policy')) {
      for (const statement of policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]) {
        if (JSON.stringify(statement.Resource).includes(`"${keyTableId()}"`))
          expect(actionsOf(statement)).not.toContain('dynamodb:DeleteItem');
      }
    }
  });
});

describe('the rest of the stack', () => {
  it("sets the stage's shared throttle well above one account's allowance, and within what Lambda's unreserved concurrency carries", () => {
    const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    const { ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst } = stage.Properties.DefaultRouteSettings as {
      ThrottlingRateLimit: number;
      ThrottlingBurstLimit: number;
    };
    // One account may send 100 a second live plus 25 test (its own limiter): the stage, shared by
    // every account and keyless request, leaves room for several such accounts at once.
    const oneAccount = STRIPE_RATE_LIMITS.live! + STRIPE_RATE_LIMITS.test!;
    expect(rate).toBeGreaterThanOrEqual(8 * oneAccount);
    expect(burst).toBeGreaterThanOrEqual(2 * rate);
    // Within API Gateway's regional account quota (10,000 a second, bursts of 5,000).
    expect(rate).toBeLessThanOrEqual(10_000);
    expect(burst).toBeLessThanOrEqual(5_000);
    // At 200 ms a request, the stage's rate fits the account's default 1,000 concurrent executions
    // less the background reservations (which must leave 100 unreserved).
    const reservedSum = ofType('AWS::Lambda::Function').reduce((sum, [, fn]) => sum + (fn.Properties.ReservedConcurrentExecutions ?? 0), 0);
    expect(1000 - reservedSum).toBeGreaterThanOrEqual(100);
    expect(rate * 0.2).toBeLessThanOrEqual(1000 - reservedSum);
  });

  it('throttles the stage and writes access logs without personal data', () => {
    const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 });
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
    const [keyId] = Object.keys(synth.template.findResources('AWS::KMS::Key'));
    synth.template.hasOutput('KeyArn', { Value: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  it(
    'alarms on API 5xx rate and latency, the route functions’ errors ten to an alarm, the workers’ errors and throttles, the account’s ' +
      'unreserved throttles, DynamoDB throttles and system errors, and the DLQs',
    () => {
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
        'ChecksQueueDeadLettersDepth',
        'ChecksStreamErrors',
        'ChecksStreamIteratorAge',
        'ChecksDeadLettersDepth',
        'RedactionWorkerErrors',
        'RedactionWorkerThrottles',
        'RedactionWorkerIteratorAge',
        'RedactionDeadLettersDepth',
        'FunnelCounterErrors',
        'FunnelCounterIteratorAge',
        'FunnelDeadLettersDepth',
        'BlocklistCheckErrors',
        'BlocklistCheckIteratorAge',
        'BlocklistCheckDeadLettersDepth',
        'RedactionBackstopErrors',
        'RedactionBackstopThrottles',
        'WebhookWorkerErrors',
        'WebhookScheduleDeadLettersDepth',
        'WebhookEndpointsDisabled',
        // The review queue: its watch's errors, and held verdicts waiting too long (docs/console.md#the-review-queue).
        'ReviewWatchErrors',
        'ReviewsOverdue',
        'UnreservedThrottles',
        ...Array.from({ length: Math.ceil(routes.length / MAX_METRICS_PER_ALARM) }, (_, i) => `RoutesErrors${i + 1}`),
      ];
      for (const name of expected)
        expect(
          alarms.some((id) => new RegExp(`^Alarms${name}[0-9A-F]{8}$`).test(id)),
          name,
        ).toBe(true);
      expect(alarms).toHaveLength(expected.length);
      for (const [, alarm] of ofType('AWS::CloudWatch::Alarm')) expect(alarm.Properties.AlarmActions).toHaveLength(1);
    },
  );

  it('sums every route function’s errors in exactly one alarm of at most ten metrics, and alarms on any error', () => {
    const groups = ofType('AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith('AlarmsRoutesErrors'));
    const watched = groups.flatMap(([id, alarm]) => {
      const metrics = (
        alarm.Properties.Metrics as {
          Expression?: string;
          MetricStat?: { Metric: { MetricName: string; Dimensions: { Value: { Ref: string } }[] } };
        }[]
      ).filter((m) => m.MetricStat);
      expect(metrics.length, id).toBeLessThanOrEqual(MAX_METRICS_PER_ALARM);
      expect(alarm.Properties).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      for (const m of metrics) expect(m.MetricStat!.Metric.MetricName, id).toBe('Errors');
      return metrics.map((m) => m.MetricStat!.Metric.Dimensions[0]!.Value.Ref);
    });
    expect(watched.sort()).toEqual(routes.map((route) => functionOf(route)[0]).sort());
  });

  it('alarms on the account’s throttles less the reserved workers’ own, which alarm each on its reservation', () => {
    const [[, alarm]] = ofType('AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith('AlarmsUnreservedThrottles')) as [
      [string, Resource],
    ];
    const metrics = alarm.Properties.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: { Value: { Ref: string } }[] } };
    }[];
    const account = metrics.find((m) => m.MetricStat && !m.MetricStat.Metric.Dimensions)!;
    expect(account.MetricStat!.Metric).toEqual({ Namespace: 'AWS/Lambda', MetricName: 'Throttles' });
    const reserved = metrics.filter((m) => m.MetricStat?.Metric.Dimensions).map((m) => m.MetricStat!.Metric.Dimensions![0]!.Value.Ref);
    const withReservation = ofType('AWS::Lambda::Function')
      .filter(([, r]) => r.Properties.ReservedConcurrentExecutions)
      .map(([id]) => id);
    expect(reserved.sort()).toEqual(withReservation.sort());
    expect(metrics.find((m) => m.Expression)!.Expression).toMatch(new RegExp(`^FILL\\(${account.Id}, 0\\) - \\(`));
    const throttleAlarms = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.MetricName === 'Throttles');
    expect(throttleAlarms.map(([, a]) => a.Properties.Dimensions[0].Value.Ref).sort()).toEqual(withReservation.sort());
  });

  it('watches the DynamoDB operations Verity performs, transactional writes included', () => {
    for (const name of ['TableThrottles', 'TableSystemErrors']) {
      const [[, alarm]] = ofType('AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith(`Alarms${name}`)) as [[string, Resource]];
      const operations = JSON.stringify(alarm.Properties.Metrics);
      for (const operation of ['GetItem', 'Query', 'TransactWriteItems'])
        expect(operations, name).toContain(`{"Name":"Operation","Value":"${operation}"}`);
    }
  });

  it('encrypts every queue, the bus’s own dead-letter queue included, with the stack key', () => {
    const [[keyId]] = ofType('AWS::KMS::Key') as [[string, Resource]];
    const [[, bus]] = ofType('AWS::Events::EventBus') as [[string, Resource]];
    const busQueue = bus.Properties.DeadLetterConfig.Arn['Fn::GetAtt'][0];
    expect(ofType('AWS::SQS::Queue').map(([id]) => id)).toContain(busQueue);
    for (const [id, queue] of ofType('AWS::SQS::Queue')) {
      expect(queue.Properties.KmsMasterKeyId, id).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      expect(queue.Properties.SqsManagedSseEnabled, id).toBeUndefined();
    }
  });

  it('lets EventBridge, and only this bus, write to the bus’s dead-letter queue', () => {
    const [[busId, bus]] = ofType('AWS::Events::EventBus') as [[string, Resource]];
    const queueId = bus.Properties.DeadLetterConfig.Arn['Fn::GetAtt'][0];
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

describe('room to grow', () => {
  const parentFile = () => synth.stack.templateFile;
  const roomFiles = () => [...synth.templates.keys()].filter((file) => file !== parentFile());
  /** The template (by file) that holds a resource. */
  const fileOf = (id: string) => [...synth.templates].find(([, template]) => id in template.Resources)![0];

  it(`keeps every template, the parent's and each room's, within ${TEMPLATE_RESOURCE_BUDGET} of CloudFormation's 500 resources`, () => {
    expect(roomFiles()).toHaveLength(4);
    for (const [file, template] of synth.templates) {
      const count = Object.keys(template.Resources).length;
      expect(
        count,
        `${file} has ${count} resources, over the budget of ${TEMPLATE_RESOURCE_BUDGET} per template (lib/rooms.ts): CloudFormation ` +
          `allows 500, ` +
          'and a business that places the construct in its own stack needs room for its own. A route costs 6 in its room and 1 (its log ' +
          'group) ' +
          'in the parent: give new routes a room of their own in lib/rooms.ts ROOMS (never move a deployed route), as ' +
          'docs/architecture.md *Rooms* says.',
      ).toBeLessThanOrEqual(TEMPLATE_RESOURCE_BUDGET);
    }
  });

  it('leaves room in the parent for a hundred more routes: a log group each, and an errors alarm per ten', () => {
    const parent = Object.keys(synth.templates.get(parentFile())!.Resources).length;
    expect(parent + 100 + Math.ceil(100 / MAX_METRICS_PER_ALARM)).toBeLessThanOrEqual(TEMPLATE_RESOURCE_BUDGET);
  });

  it(
    "builds each route's function, role, policy, permission, integration and route in its room, and each worker in the workers' " + 'room',
    () => {
      for (const route of routes) {
        const [fnId, fn] = functionOf(route);
        const file = fileOf(fnId);
        expect(file, route.name).toMatch(new RegExp(`${roomOf(route)}Room[0-9A-F]{8}\\.nested\\.template\\.json$`));
        const [routeId] = Object.entries(synth.templates.get(file)!.Resources).find(
          ([, r]) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.RouteKey === route.routeKey,
        )!;
        expect(routeId, route.name).toBeDefined();
        expect(fileOf(fn.Properties.Role['Fn::GetAtt'][0]), route.name).toBe(file);
      }
      const perRoom = ROOMS.map(({ room }) => routes.filter((route) => roomOf(route) === room).length);
      for (const [i, { room }] of ROOMS.entries()) {
        const file = roomFiles().find((f) => f.includes(`${room}Room`))!;
        // And the liveness route's browser role with its policy, and its own Face Liveness policy (lib/liveness.ts).
        const liveness = room === 'Page' ? 3 : 0;
        expect(Object.keys(synth.templates.get(file)!.Resources), room).toHaveLength(6 * perRoom[i]! + liveness);
      }
      const routeFunctions = new Set(routes.map((route) => functionOf(route)[0]));
      const others = ofType('AWS::Lambda::Function').filter(([id]) => !routeFunctions.has(id));
      expect(others).toHaveLength(workers.length);
      for (const [id] of others) expect(fileOf(id), id).toMatch(/WorkersRoom[0-9A-F]{8}\.nested\.template\.json$/);
    },
  );

  it('keeps every resource that holds data or an address in the parent stack, under the logical id it had before the rooms', () => {
    const parent = synth.templates.get(parentFile())!.Resources;
    for (const [id, type] of Object.entries(STATEFUL_RESOURCES)) expect(parent[id]?.Type, id).toBe(type);
    // No room holds a resource of these kinds, so a new one starts in the parent too: every function's log group included.
    const kinds = new Set(Object.values(STATEFUL_RESOURCES));
    for (const file of roomFiles()) {
      const held = Object.entries(synth.templates.get(file)!.Resources).filter(([, r]) => kinds.has(r.Type));
      expect(
        held.map(([id]) => id),
        file,
      ).toEqual([]);
    }
    for (const [id, fn] of ofType('AWS::Lambda::Function')) expect(fileOf(fn.Properties.LoggingConfig.LogGroup.Ref), id).toBe(parentFile());
  });
});

describe('the workers table', () => {
  it('builds each worker of functions/workers.ts from its entry: its module, description, timeout and trigger, and no other', () => {
    for (const worker of workers) {
      const found = ofType('AWS::Lambda::Function').filter(([, r]) => r.Properties.Description === worker.description);
      expect(found, worker.name).toHaveLength(1);
      const [id, fn] = found[0]!;
      expect(fn.Properties.Timeout, worker.name).toBe(worker.timeoutSeconds);
      const meta = join(synth.outdir, fn.Metadata!['aws:asset:path'], 'index.meta.json');
      const inputs = Object.keys(JSON.parse(readFileSync(meta, 'utf8')).inputs as object);
      expect(
        inputs.some((input) => input.endsWith(`functions/${worker.handler}.ts`)),
        worker.name,
      ).toBe(true);
      const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => m.Properties.FunctionName.Ref === id);
      const rules = ofType('AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties.Targets).includes(`"${id}"`));
      if ('stream' in worker.trigger) {
        const { records, batchSize, parallelizationFactor } = worker.trigger.stream;
        expect(rules, worker.name).toEqual([]);
        expect(mappings, worker.name).toHaveLength(1);
        const [, mapping] = mappings[0]!;
        expect(mapping.Properties.EventSourceArn, worker.name).toEqual({ 'Fn::GetAtt': [tableId(), 'StreamArn'] });
        expect(mapping.Properties.BatchSize, worker.name).toBe(batchSize);
        expect(mapping.Properties.ParallelizationFactor, worker.name).toBe(parallelizationFactor);
        expect(
          mapping.Properties.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern)),
          worker.name,
        ).toEqual(records.map(({ eventName, kind }) => ({ eventName: [eventName], dynamodb: { Keys: { sk: { S: [kind] } } } })));
      } else if ('queue' in worker.trigger) {
        expect(rules, worker.name).toEqual([]);
        expect(mappings, worker.name).toHaveLength(1);
        expect(resourceOf(mappings[0]![1].Properties.EventSourceArn['Fn::GetAtt'][0]).Type, worker.name).toBe('AWS::SQS::Queue');
      } else {
        // A scheduled worker that also takes handed-off work has that queue's mapping, and no other.
        expect(mappings, worker.name).toHaveLength(worker.trigger.handedOff ? 1 : 0);
        if (worker.trigger.handedOff)
          expect(resourceOf(mappings[0]![1].Properties.EventSourceArn['Fn::GetAtt'][0]).Type, worker.name).toBe('AWS::SQS::Queue');
        expect(rules, worker.name).toHaveLength(1);
        expect(rules[0]![1].Properties.ScheduleExpression, worker.name).toBe(
          Schedule.rate(Duration.minutes(worker.trigger.everyMinutes)).expressionString,
        );
      }
    }
    // Every function is a route's or a worker's.
    expect(ofType('AWS::Lambda::Function')).toHaveLength(routes.length + workers.length);
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
    expect(JSON.parse(mapping.Properties.FilterCriteria.Filters[0].Pattern)).toEqual({
      eventName: ['INSERT'],
      dynamodb: { Keys: { sk: { S: ['event'] } } },
    });
  });

  it('feeds the checks stream new and expired submissions only, with retries, bisection and its own encrypted on-failure queue', () => {
    const worker = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('VerificationChecksStream'))!;
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
    const actions = statementsOf(worker[1])
      .flatMap(actionsOf)
      .filter((a) => a.startsWith('dynamodb:'));
    expect(actions.sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:DescribeStream',
      'dynamodb:GetItem',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'dynamodb:PutItem',
    ]);
    // It queues checks and runs none: no live-check service, no upload.
    expect(
      statementsOf(worker[1])
        .flatMap(actionsOf)
        .filter((a) => /^(textract|rekognition|s3|lambda):/.test(a)),
    ).toEqual([]);
  });

  it(
    "runs the checks from an encrypted SQS fair queue, one job at a time, never more at once than the worker's reservation, with a " +
      'dead-letter queue',
    () => {
      const stream = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('VerificationChecksStream'))!;
      const worker = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('VerificationChecksWorker'))!;
      const [queueId, queue] = ofType('AWS::SQS::Queue').find(
        ([id]) => id.startsWith('VerificationChecksQueue') && !id.includes('DeadLetters'),
      )!;
      expect(queue.Properties.KmsMasterKeyId).toBeDefined();
      expect(queue.Properties.VisibilityTimeout).toBe(6 * worker[1].Properties.Timeout);
      expect(resourceOf(queue.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0]).Properties.KmsMasterKeyId).toBeDefined();
      expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(5);
      const [, mapping] = ofType('AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties.FunctionName.Ref === worker[0])!;
      expect(mapping.Properties).toMatchObject({
        EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      expect(mapping.Properties.ScalingConfig.MaximumConcurrency).toBe(worker[1].Properties.ReservedConcurrentExecutions);
      // The stream sends to the queue (and only that queue); the worker alone receives from it.
      expect(stream[1].Properties.Environment.Variables.VERITY_CHECKS_QUEUE_URL).toEqual({ Ref: queueId });
      const sends = statementsOf(stream[1]).filter((s) => JSON.stringify(s.Resource).includes(`"${queueId}"`));
      expect(sends.map((s) => [actionsOf(s), s.Resource])).toEqual([[['sqs:SendMessage'], { 'Fn::GetAtt': [queueId, 'Arn'] }]]);
      expect(statementsOf(worker[1]).flatMap(actionsOf)).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']));
      expect(statementsOf(worker[1]).flatMap(actionsOf)).not.toContain('sqs:SendMessage');
    },
  );

  it('grants the face collection actions only to the functions that call them, on the stack’s collections only', () => {
    const FACE_ACTIONS = ['CreateCollection', 'IndexFaces', 'SearchFacesByImage', 'DeleteFaces'].map((a) => `rekognition:${a}`);
    const granted = ofType('AWS::Lambda::Function')
      .map(([id, fn]) => {
        const statements = allStatementsOf(fn).filter((s) => actionsOf(s).some((action) => FACE_ACTIONS.includes(action)));
        const name = /^Verity (GET|POST|DELETE) \//.test(fn.Properties.Description ?? '')
          ? fn.Properties.Description
          : id.replace(/[0-9A-F]{8}$/, '').replace(/Function$/, '');
        return { name, fn, statements };
      })
      .filter(({ statements }) => statements.length > 0);
    expect(Object.fromEntries(granted.map(({ name, statements }) => [name, statements.flatMap(actionsOf).sort()]))).toEqual({
      'Verity POST /v1/identity/blocklist_entries': ['rekognition:CreateCollection', 'rekognition:DeleteFaces', 'rekognition:IndexFaces'],
      'Verity POST /v1/identity/blocklist_entries/{id}/disable': ['rekognition:DeleteFaces'],
      VerificationChecksWorker: ['rekognition:SearchFacesByImage'],
      RedactionWorker: ['rekognition:DeleteFaces'],
      RedactionBackstop: ['rekognition:DeleteFaces'],
      BlocklistCheckWorker: ['rekognition:SearchFacesByImage'],
    });
    const prefixes = new Set(granted.map(({ fn }) => fn.Properties.Environment.Variables.VERITY_FACE_COLLECTION_PREFIX));
    expect(prefixes.size).toBe(1);
    const [prefix] = [...prefixes] as string[];
    expect(prefix).toMatch(/^verity-[a-z0-9-]+$/);
    for (const { statements } of granted) {
      for (const statement of statements) {
        const [, parts] = (statement.Resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
        expect(JSON.stringify(parts)).toContain(`:rekognition:`);
        expect(parts.at(-1)).toBe(`:collection/${prefix}-*`);
      }
    }
  });

  it('lets the checks worker Query the table only on blocklist match items, the only index-free reads it makes', () => {
    const [, worker] = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('VerificationChecksWorker'))!;
    const queries = statementsOf(worker).filter((s) => actionsOf(s).includes('dynamodb:Query'));
    expect(queries).toHaveLength(1);
    expect(actionsOf(queries[0]!)).toEqual(['dynamodb:Query']);
    const allowed = matchesAny((queries[0]!.Condition as any)['ForAllValues:StringLike']['dynamodb:LeadingKeys']);
    expect(allowed('acct_1Abc#live#iblm_digest')).toBe(true);
    expect(allowed('acct_1Abc#live#vs_0Abc')).toBe(false);
    expect(allowed('acct_1Abc#live#ible_0Abc')).toBe(false);
  });

  it('lets the blocklist check worker write only the items a page changes, and release its scope’s running check', () => {
    const [, worker] = ofType('AWS::Lambda::Function').find(([, fn]) =>
      String(fn.Properties.Description).startsWith('Verity blocklist check'),
    )!;
    const keyed = statementsOf(worker).filter((s) => s.Condition !== undefined && JSON.stringify(s.Condition).includes('LeadingKeys'));
    const allowed = (action: string, key: string) =>
      keyed.some(
        (s) =>
          actionsOf(s).includes(`dynamodb:${action}`) &&
          matchesAny((s.Condition as any)['ForAllValues:StringLike']['dynamodb:LeadingKeys'])(key),
      );
    expect(allowed('DeleteItem', 'acct_1Abc#test#iblc_running')).toBe(true);
    expect(allowed('DeleteItem', 'acct_1Abc#live#ible_0Abc')).toBe(true);
    expect(allowed('PutItem', 'acct_1Abc#live#iblc_running')).toBe(false);
    expect(allowed('DeleteItem', 'acct_1Abc#live#vs_0Abc')).toBe(false);
    // Selfie files are read, never written.
    expect(allowed('GetItem', 'acct_1Abc#live#file_0Abc')).toBe(true);
    expect(allowed('PutItem', 'acct_1Abc#live#file_0Abc')).toBe(false);
    expect(allowed('PutItem', 'acct_1Abc#live#vs_0Abc')).toBe(true);
  });

  it(
    'starts the redaction worker on removed job items and saved progress only, with retries and its own encrypted on-failure ' + 'queue',
    () => {
      const worker = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('RedactionWorker'))!;
      const [, mapping] = ofType('AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties.FunctionName.Ref === worker[0])!;
      expect(mapping.Properties).toMatchObject({
        StartingPosition: 'TRIM_HORIZON',
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      // A long redaction holds up no other session of its shard.
      expect(mapping.Properties.ParallelizationFactor).toBe(10);
      expect(mapping.Properties.FilterCriteria.Filters.map((filter: { Pattern: string }) => JSON.parse(filter.Pattern))).toEqual([
        { eventName: ['REMOVE'], dynamodb: { Keys: { sk: { S: ['redaction_job'] } } } },
        { eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: ['redaction_progress'] } } } },
        { eventName: ['MODIFY'], dynamodb: { Keys: { sk: { S: ['redaction_progress'] } } } },
      ]);
      const queueId = mapping.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0];
      expect(resourceOf(queueId).Properties.KmsMasterKeyId).toBeDefined();
    },
  );

  it('runs the redaction backstop every six hours', () => {
    const backstop = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('RedactionBackstop'))!;
    const rule = ofType('AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties.Targets).includes(backstop[0]))!;
    expect(rule[1].Properties.ScheduleExpression).toBe('rate(6 hours)');
    expect(JSON.stringify(rule[1].Properties.Targets)).toContain(backstop[0]);
  });

  it('lets the redaction functions touch only the table and the indexes redaction needs', () => {
    for (const prefix of ['RedactionWorker', 'RedactionBackstop']) {
      const [, fn] = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))!;
      const statements = statementsOf(fn);
      const actions = statements
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('dynamodb:') && !/Stream|GetRecords|GetShardIterator/.test(a));
      expect(actions.sort(), prefix).toEqual([
        // The copies' index is lean: the job fetches the items it found, as its GetItem may.
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ]);
      const query = statements.find((s) => actionsOf(s).includes('dynamodb:Query'))!;
      const indexes = JSON.stringify(query.Resource);
      expect(indexes).toContain('/index/by_verification_session');
      expect(indexes.includes('/index/by_redaction_due'), prefix).toBe(prefix === 'RedactionBackstop');
    }
  });

  it(
    'configures the redaction delay on every data function, and retention only when asked',
    () => {
      const [, create] = functionOf(routes.find((r) => r.name === 'CreateVerificationSession')!);
      expect(create.Properties.Environment.Variables.VERITY_REDACTION_DELAY_SECONDS).toBe('0');
      expect(create.Properties.Environment.Variables).not.toHaveProperty('VERITY_RETENTION_DAYS');
      const app = templateApp();
      const stack = new VerityStack(app, 'Retained', {
        routes: [routes.find((r) => r.name === 'CancelVerificationSession')!],
        retentionDays: 30,
        redactionDelaySeconds: 60,
      });
      const functions = Object.values(flatten(stack).Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
      const cancel = functions.find((f) => String(f.Properties.Description).includes('/cancel'))!;
      expect(cancel.Properties.Environment.Variables).toMatchObject({ VERITY_RETENTION_DAYS: '30', VERITY_REDACTION_DELAY_SECONDS: '60' });
      const worker = functions.find((f) => String(f.Properties.Description).startsWith('Verity checks worker'))!;
      expect(worker.Properties.Environment.Variables.VERITY_RETENTION_DAYS).toBe('30');
    },
    SYNTH_TIMEOUT,
  );

  it('may put events on this bus only, and in the table only make webhook deliveries and count them on their events', () => {
    const [, fn] = publisher();
    const [[busId]] = ofType('AWS::Events::EventBus') as [[string, Resource]];
    const statements = statementsOf(fn);
    const putEvents = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('events:')));
    expect(putEvents.map((s) => [actionsOf(s), s.Resource])).toEqual([[['events:PutEvents'], { 'Fn::GetAtt': [busId, 'Arn'] }]]);
    const dynamo = statements.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'));
    expect(dynamo.sort()).toEqual([
      // The endpoints come from a lean index: fetched on the webhook objects' partitions, as its writes are.
      'dynamodb:BatchGetItem',
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    const writes = statements.find((s) => actionsOf(s).includes('dynamodb:PutItem'))!;
    expect(writes.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': objectPartitionPatterns(['we', 'evt']) } });
    const query = statements.find((s) => actionsOf(s).includes('dynamodb:Query'))!;
    expect(JSON.stringify(query.Resource)).toContain(`/index/${tableSchema.indexes.byScope.name}"`);
    expect(fn.Properties.Environment.Variables.VERITY_EVENT_BUS_NAME).toEqual({ Ref: busId });
    // It hands each new delivery to the worker through the webhook queue, and may send to no other queue but its dead letters.
    const queueIds = (prefix: string) =>
      ofType('AWS::SQS::Queue')
        .filter(([id]) => id.startsWith(prefix))
        .map(([id]) => id);
    const [queueId] = queueIds('WebhooksQueue');
    const sends = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    expect(sends.flatMap(actionsOf)).toEqual(['sqs:SendMessage', 'sqs:SendMessage']);
    expect(sends.map((s) => (s.Resource as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]).sort()).toEqual(
      [queueId, ...queueIds('EventsPublisherDeadLetters')].sort(),
    );
    expect(fn.Properties.Environment.Variables.VERITY_WEBHOOK_QUEUE_URL).toEqual({ Ref: queueId });
  });

  it('hands new deliveries to the webhook worker through an encrypted SQS queue it consumes in bounded batches', () => {
    const [workerId, worker] = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('WebhooksWorker'))!;
    const [[queueId, queue]] = ofType('AWS::SQS::Queue').filter(([id]) => id.startsWith('WebhooksQueue')) as [[string, Resource]];
    expect(queue.Properties.KmsMasterKeyId).toBeDefined();
    expect(queue.Properties.VisibilityTimeout).toBe(worker.Properties.Timeout * 6);
    const [[, mapping]] = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) =>
      JSON.stringify(m.Properties.EventSourceArn).includes(queueId),
    ) as [[string, Resource]];
    expect(mapping.Properties).toMatchObject({
      FunctionName: { Ref: workerId },
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 20 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const receives = statementsOf(worker).filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    expect(receives.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
    expect(receives.flatMap(actionsOf)).not.toContain('sqs:SendMessage');
  });

  it('runs the webhook delivery worker every minute, with a dead-letter queue, on endpoint, delivery and event items only', () => {
    const [workerId, worker] = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('WebhooksWorker'))!;
    const rule = ofType('AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties.Targets).includes(workerId))!;
    expect(rule[1].Properties.ScheduleExpression).toBe('rate(1 minute)');
    expect(rule[1].Properties.Targets[0].DeadLetterConfig).toBeDefined();
    const statements = statementsOf(worker);
    const items = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:') && a !== 'dynamodb:Query'));
    expect(items.map((s) => [actionsOf(s).sort(), s.Condition])).toEqual([
      [
        // BatchGetItem: an endpoint's deliveries come from a lean index, fetched on the same partitions as its GetItem.
        ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
        { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': objectPartitionPatterns(['we', 'evt']) } },
      ],
    ]);
    const query = statements.find((s) => actionsOf(s).includes('dynamodb:Query'))!;
    expect(JSON.stringify(query.Resource)).toMatch(/by_delivery_due.*by_type/);
    expect(worker.Properties.Timeout).toBe(240);
  });

  it(
    'subscribes a target to chosen event types with a dead-letter queue and an alarm',
    () => {
      const app = templateApp();
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
      expect(rule.Properties.Targets[0]).toMatchObject({
        DeadLetterConfig: { Arn: expect.anything() },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      });
      expect(
        Object.keys(template.findResources('AWS::CloudWatch::Alarm')).some((id) => id.startsWith('AlarmsOnboardingDeadLettersDepth')),
      ).toBe(true);
    },
    SYNTH_TIMEOUT,
  );
});

describe('concurrency and the edge', () => {
  const reservedOf = (resources: Record<string, Resource>, prefix: string) =>
    Object.entries(resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(prefix))![1].Properties
      .ReservedConcurrentExecutions;

  it('reserves concurrency for the background functions only, so API traffic cannot take it', () => {
    expect(reservedOf(synth.resources, 'EventsPublisher')).toBe(10);
    expect(reservedOf(synth.resources, 'VerificationChecksWorker')).toBe(50);
    expect(reservedOf(synth.resources, 'RedactionWorker')).toBe(20);
    expect(reservedOf(synth.resources, 'RedactionBackstop')).toBe(1);
    for (const route of routes) expect(functionOf(route)[1].Properties.ReservedConcurrentExecutions, route.name).toBeUndefined();
  });

  it(
    'lets the reservations be changed or left out, and refuses one that would stop a function',
    () => {
      const one = [routes.find((r) => r.name === 'UnrecognizedRequestUrl')!];
      const chosen = flatten(new VerityStack(templateApp(), 'Chosen', { routes: one, workerConcurrency: { checksWorker: 5 } })).Resources;
      expect(reservedOf(chosen, 'VerificationChecksWorker')).toBe(5);
      expect(reservedOf(chosen, 'EventsPublisher')).toBe(10);
      const none = flatten(new VerityStack(templateApp(), 'None', { routes: one, workerConcurrency: false })).Resources;
      for (const prefix of ['EventsPublisher', 'VerificationChecksWorker', 'RedactionWorker', 'RedactionBackstop'])
        expect(reservedOf(none, prefix)).toBeUndefined();
      expect(() => new VerityStack(templateApp(), 'Zero', { routes: one, workerConcurrency: { redactionWorker: 0 } })).toThrow(
        /at least 1/,
      );
    },
    SYNTH_TIMEOUT,
  );

  it(
    'runs every function in the VPC it is given, with the network-interface permissions Lambda needs, and passes the checks',
    () => {
      const app = templateApp();
      const stack = new VerityStack(app, 'Private', {
        routes: [routes.find((r) => r.name === 'ShowVerificationPage')!],
        vpc: { vpcId: 'vpc-0abc', subnetIds: ['subnet-0a', 'subnet-0b'] },
      });
      addPolicyChecks(app);
      const resources = flatten(stack).Resources;
      const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
      expect(functions).toHaveLength(10);
      for (const [id, fn] of functions) {
        expect(fn.Properties.VpcConfig.SubnetIds, id).toEqual(['subnet-0a', 'subnet-0b']);
        expect(fn.Properties.VpcConfig.SecurityGroupIds, id).toHaveLength(1);
        const role = fn.Properties.Role['Fn::GetAtt'][0];
        const actions = Object.values(resources)
          .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: { Ref: string }) => x.Ref === role))
          .flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap(actionsOf));
        expect(actions, id).toEqual(
          expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeNetworkInterfaces']),
        );
      }
      expect(synth.resources[functionOf(routes[0]!)[0]]!.Properties.VpcConfig).toBeUndefined();
    },
    SYNTH_TIMEOUT,
  );

  it(
    'puts CloudFront and a rate-based AWS WAF rule in front of the API when asked, and sends every link through it',
    () => {
      const app = templateApp();
      const page = routes.find((r) => r.name === 'ShowVerificationPage')!;
      const stack = new VerityStack(app, 'Edge', { routes: [page], firewall: { rateLimit: 2000 } });
      addPolicyChecks(app);
      const template = Template.fromStack(stack);
      const [[aclId, acl]] = Object.entries(template.findResources('AWS::WAFv2::WebACL')) as [[string, Resource]];
      expect(acl.Properties).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
      expect(acl.Properties.Rules).toEqual([
        expect.objectContaining({
          Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } },
          Action: { Block: { CustomResponse: expect.objectContaining({ ResponseCode: 429, CustomResponseBodyKey: 'rate_limit' }) } },
        }),
      ]);
      expect(JSON.parse(acl.Properties.CustomResponseBodies.rate_limit.Content)).toMatchObject({
        error: { type: 'invalid_request_error', code: 'rate_limit' },
      });
      const [[distributionId, distribution]] = Object.entries(template.findResources('AWS::CloudFront::Distribution')) as [
        [string, Resource],
      ];
      const config = distribution.Properties.DistributionConfig;
      expect(config.WebACLId).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
      expect(config.DefaultCacheBehavior).toMatchObject({
        ViewerProtocolPolicy: 'https-only',
        AllowedMethods: expect.arrayContaining(['POST', 'DELETE']),
      });
      expect(JSON.stringify(config.Origins[0].DomainName)).toContain('ApiEndpoint');
      // The Authorization header reaches the API on GET too, and nothing is kept.
      const [cachePolicy] = Object.values(template.findResources('AWS::CloudFront::CachePolicy')) as Resource[];
      expect(cachePolicy!.Properties.CachePolicyConfig).toMatchObject({ DefaultTTL: 0, MinTTL: 0 });
      expect(cachePolicy!.Properties.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig.Headers).toEqual([
        'Authorization',
      ]);
      // Links a person opens, and the ApiUrl output, go through the distribution.
      const url = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] };
      const fn = Object.values(Template.fromJSON(flatten(stack)).findResources('AWS::Lambda::Function')).find(
        (f) => f.Properties.Description === `Verity ${page.routeKey}`,
      )!;
      expect(fn.Properties.Environment.Variables.VERITY_PUBLIC_URL).toEqual(url);
      template.hasOutput('ApiUrl', { Value: url });
      // A CloudFront web ACL exists only in us-east-1: the template refuses other regions up front.
      expect(JSON.stringify(template.toJSON().Rules)).toContain('"us-east-1"');
      expect(synth.template.findResources('AWS::CloudFront::Distribution')).toEqual({});
    },
    SYNTH_TIMEOUT,
  );

  it(
    'uses a web ACL of yours instead, and refuses a rate limit WAF would not accept',
    () => {
      const app = templateApp();
      const arn = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/verity/0a1b2c3d';
      const stack = new VerityStack(app, 'OwnAcl', {
        routes: [routes.find((r) => r.name === 'UnrecognizedRequestUrl')!],
        firewall: { webAclArn: arn },
      });
      const template = Template.fromStack(stack);
      expect(template.findResources('AWS::WAFv2::WebACL')).toEqual({});
      template.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: { WebACLId: arn } });
      expect(() => new VerityStack(templateApp(), 'Tiny', { routes: [], firewall: { rateLimit: 5 } })).toThrow(/at least 10/);
    },
    SYNTH_TIMEOUT,
  );

  it(
    "outputs the name a custom domain's DNS record must point at, which is the user's to create",
    () => {
      const customDomain = { domainName: 'verify.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' };
      const template = Template.fromStack(
        new VerityStack(templateApp(), 'Domain', { routes: [routes.find((r) => r.name === 'UnrecognizedRequestUrl')!], customDomain }),
      );
      const [domainId] = Object.keys(template.findResources('AWS::ApiGatewayV2::DomainName'));
      template.hasOutput('CustomDomainTarget', { Value: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] } });
      template.hasOutput('ApiUrl', { Value: 'https://verify.example.com' });
      expect(synth.template.findOutputs('CustomDomainTarget')).toEqual({});
    },
    SYNTH_TIMEOUT,
  );
});

/** What the checks worker may call for the live checks: these define no resource types (Service Authorization Reference). */
const LIVE_CHECK_ACTIONS = ['textract:AnalyzeID', 'textract:DetectDocumentText', 'rekognition:DetectFaces', 'rekognition:CompareFaces'];
const PROVIDER_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:check-ssn';
/** Face Liveness's actions, which define no resource types either (Service Authorization Reference, Amazon Rekognition). */
const FACE_LIVENESS_ACTIONS = [
  'rekognition:CreateFaceLivenessSession',
  'rekognition:GetFaceLivenessSessionResults',
  'rekognition:StartFaceLivenessSession',
];

describe('the live checks', () => {
  const checksWorker = (resources: Record<string, Resource>) =>
    Object.entries(resources).find(
      ([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith('Verity checks worker'),
    )!;
  /** Every statement of every policy attached to the function's role, in `resources`. */
  const grantsOf = (resources: Record<string, Resource>, fn: Resource) =>
    Object.values(resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: { Ref: string }) => x.Ref === fn.Properties.Role['Fn::GetAtt'][0]),
      )
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
  // The face collections' actions (selfie blocklist entries) are granted on collection ARNs: tested on their own.
  const isLiveCheckGrant = (action: string) =>
    /^(textract|rekognition|lambda):/.test(action) &&
    !/^rekognition:(CreateCollection|IndexFaces|SearchFacesByImage|DeleteFaces)$/.test(action) &&
    // Face Liveness's actions: tested in test/infra/liveness.test.ts.
    !FACE_LIVENESS_ACTIONS.includes(action);

  it(
    'lets the checks worker call exactly AnalyzeID, DetectDocumentText, DetectFaces and CompareFaces, on "*" only because IAM accepts ' +
      'nothing narrower',
    () => {
      const [, worker] = checksWorker(synth.resources);
      const grants = grantsOf(synth.resources, worker).filter((s) => actionsOf(s).some(isLiveCheckGrant));
      expect(grants).toEqual([expect.objectContaining({ Effect: 'Allow', Action: LIVE_CHECK_ACTIONS, Resource: '*' })]);
      expect(grants[0]).not.toHaveProperty('Condition');
      // The worker decrypts with the stack key only (Textract and Rekognition read the SSE-KMS uploads as this role).
      const kms = grantsOf(synth.resources, worker).filter((s) => actionsOf(s).includes('kms:Decrypt'));
      expect(kms.length).toBeGreaterThan(0);
      for (const statement of kms) expect(statement.Resource).toEqual({ 'Fn::GetAtt': [ofType('AWS::KMS::Key')[0]![0], 'Arn'] });
      // It reads the images under the upload prefix, and may do nothing else in S3.
      const [bucketId] = ofType('AWS::S3::Bucket').find(([id]) => id.startsWith('UploadsBucket'))!;
      const s3 = grantsOf(synth.resources, worker).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:'))) as {
        Action: string;
        Resource: unknown;
        Condition?: unknown;
      }[];
      expect(s3.map((s) => [actionsOf(s), s.Resource, s.Condition])).toEqual([
        // GetObjectVersion: Textract and Rekognition read the version submitted (S3Object.Version).
        [['s3:GetObject', 's3:GetObjectVersion'], { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/uploads/*']] }, undefined],
        [['s3:ListBucket'], { 'Fn::GetAtt': [bucketId, 'Arn'] }, { StringLike: { 's3:prefix': ['uploads/*'] } }],
      ]);
    },
  );

  it(
    'runs the live provider in the checks worker and lets the pages proceed for live sessions, with no ID-number provider unless one is ' +
      'named',
    () => {
      const [, worker] = checksWorker(synth.resources);
      expect(worker.Properties.Environment.Variables).toMatchObject({ VERITY_LIVE_CHECKS: 'aws' });
      expect(
        Object.keys(worker.Properties.Environment.Variables).filter((name) =>
          /^VERITY_(MIN_|DOCUMENT_|FACE_MIN|FACE_MATCH|SELFIE_|ID_NUMBER)/.test(name),
        ),
      ).toEqual([]);
      for (const name of ['ShowVerificationPage', 'AnswerVerificationConsent', 'SubmitVerification']) {
        expect(functionOf(routes.find((r) => r.name === name)!)[1].Properties.Environment.Variables.VERITY_LIVE_CHECKS, name).toBe('aws');
      }
      for (const route of routes) {
        const [, fn] = functionOf(route);
        expect(fn.Properties.Environment?.Variables ?? {}, route.name).not.toHaveProperty('VERITY_ID_NUMBER_PROVIDER_ARN');
        // Only the checks worker calls Textract, Rekognition or a provider.
        expect(statementsOf(fn).flatMap(actionsOf).filter(isLiveCheckGrant), route.name).toEqual([]);
      }
    },
  );

  it(
    'takes thresholds and the ID-number provider from its props: the worker may invoke that function and no other, and the create and ' +
      'update functions know it',
    () => {
      const app = templateApp();
      const routeNames = ['CreateVerificationSession', 'UpdateVerificationSession', 'ShowVerificationPage'];
      const stack = new VerityStack(app, 'Provided', {
        routes: routes.filter((r) => routeNames.includes(r.name)),
        liveChecks: {
          settings: { minimumAge: 21, documentMinConfidence: 95, faceMinSimilarity: 99.5 },
          idNumberProviderFunctionArn: PROVIDER_ARN,
        },
      });
      addPolicyChecks(app);
      const resources = flatten(stack).Resources;
      app.synth();
      const [, worker] = checksWorker(resources);
      expect(worker.Properties.Environment.Variables).toMatchObject({
        VERITY_LIVE_CHECKS: 'aws',
        VERITY_MIN_AGE: '21',
        VERITY_DOCUMENT_MIN_CONFIDENCE: '95',
        VERITY_FACE_MIN_SIMILARITY: '99.5',
        VERITY_ID_NUMBER_PROVIDER_ARN: PROVIDER_ARN,
      });
      const invokes = grantsOf(resources, worker).filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
      expect(invokes.map((s) => [actionsOf(s), s.Resource])).toEqual([[['lambda:InvokeFunction'], PROVIDER_ARN]]);
      const functions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
      for (const fn of functions) {
        const name = String(fn.Properties.Description);
        const knowsProvider = [
          'POST /v1/identity/verification_sessions',
          'POST /v1/identity/verification_sessions/{id}',
          'checks worker',
        ].some((end) => name.endsWith(end) || name.includes(end));
        expect(fn.Properties.Environment?.Variables?.VERITY_ID_NUMBER_PROVIDER_ARN, name).toBe(knowsProvider ? PROVIDER_ARN : undefined);
        if (fn !== worker) expect(grantsOf(resources, fn).flatMap(actionsOf).filter(isLiveCheckGrant), name).toEqual([]);
      }
    },
    SYNTH_TIMEOUT,
  );

  it('refuses, at synthesis, a threshold the function would refuse at start-up, and an ARN that is not a Lambda function’s', () => {
    const one = [routes.find((r) => r.name === 'UnrecognizedRequestUrl')!];
    expect(() => new VerityStack(templateApp(), 'Old', { routes: one, liveChecks: { settings: { minimumAge: 200 } } })).toThrow(
      /^VERITY_MIN_AGE must be a whole number from 0 to 150/,
    );
    expect(() => new VerityStack(templateApp(), 'Sure', { routes: one, liveChecks: { settings: { faceMinSimilarity: 101 } } })).toThrow(
      /VERITY_FACE_MIN_SIMILARITY must be a number from 0 to 100/,
    );
    expect(
      () => new VerityStack(templateApp(), 'Bucket', { routes: one, liveChecks: { idNumberProviderFunctionArn: 'arn:aws:s3:::bucket' } }),
    ).toThrow(/must be a Lambda function ARN/);
  });
});

describe('the uploads bucket', () => {
  const bucketOf = () => {
    const found = ofType('AWS::S3::Bucket');
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const s3StatementsOf = (fn: Resource) => statementsOf(fn).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));

  it('is encrypted with the stack key and a bucket key, private, versioned, TLS only, and forgets unsubmitted uploads after a day', () => {
    const [bucketId, bucket] = bucketOf();
    const [keyId] = Object.keys(synth.template.findResources('AWS::KMS::Key'));
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      },
    ]);
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        // Pending versions go after a day, current or not; tags are per version, so the version a
        // submission names (tagged submitted) is never expired, even once a later POST makes it noncurrent.
        expect.objectContaining({
          Id: 'UnsubmittedUploads',
          Prefix: 'uploads/',
          TagFilters: [{ Key: 'verity-upload', Value: 'pending' }],
          ExpirationInDays: 1,
          NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          Status: 'Enabled',
        }),
        expect.objectContaining({
          Id: 'LeftoverVersions',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          ExpiredObjectDeleteMarker: true,
        }),
      ]),
    );
    // No rule expires noncurrent versions whatever their tag: that would delete a submitted image replaced by a later POST.
    for (const rule of bucket.Properties.LifecycleConfiguration.Rules as {
      Id: string;
      NoncurrentVersionExpiration?: unknown;
      TagFilters?: unknown;
    }[]) {
      if (rule.NoncurrentVersionExpiration) expect(rule.TagFilters, rule.Id).toEqual([{ Key: 'verity-upload', Value: 'pending' }]);
    }
    // Browsers POST from the page's origin (the API's URL) and nothing else.
    expect(bucket.Properties.CorsConfiguration.CorsRules).toEqual([
      expect.objectContaining({ AllowedMethods: ['POST'], AllowedOrigins: [expect.anything()] }),
    ]);
    const policy = ofType('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === bucketId)![1];
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it(
    "gives each route exactly the S3 actions its route-table entry names, under uploads/ only, and every data route the bucket's " + 'name',
    () => {
      const [bucketId] = bucketOf();
      for (const route of routes) {
        const [, fn] = functionOf(route);
        const statements = s3StatementsOf(fn);
        // Starting a liveness session: Rekognition writes its images under the session's uploads/ prefix as the caller (lib/liveness.ts).
        const liveness = route.faceLiveness ? ['PutObject'] : [];
        expect(statements.flatMap(actionsOf).sort(), route.name).toEqual(
          [...(route.uploads ?? []), ...liveness].map((action) => `s3:${action}`).sort(),
        );
        for (const statement of statements)
          expect(JSON.stringify([statement.Resource, statement.Condition ?? {}]), route.name).toContain('uploads/*');
        if (route.dynamodb.length) expect(fn.Properties.Environment.Variables.VERITY_UPLOADS_BUCKET, route.name).toEqual({ Ref: bucketId });
      }
      // The page's upload route may only put (and tag) objects: it presigns one key per upload with its own rights.
      const upload = functionOf(routes.find((route) => route.name === 'CreateVerificationUpload')!)[1];
      expect(s3StatementsOf(upload).flatMap(actionsOf).sort()).toEqual(['s3:PutObject', 's3:PutObjectTagging']);
      expect(statementsOf(upload).flatMap(actionsOf)).toContain('kms:GenerateDataKey');
      // The attempt's presign count is one conditional UpdateItem (store/files.ts admitUpload), in the session's partition.
      expect(statementsOf(upload).flatMap(actionsOf)).toContain('dynamodb:UpdateItem');
    },
  );

  it('lets the redaction functions list and delete every version under uploads/, and nothing else of the bucket', () => {
    const redaction = ofType('AWS::Lambda::Function').filter(([, fn]) =>
      /^Verity redaction (worker|backstop)/.test(fn.Properties.Description),
    );
    expect(redaction).toHaveLength(2);
    for (const [, fn] of redaction) {
      expect(s3StatementsOf(fn).flatMap(actionsOf).sort()).toEqual([...UPLOADS_REDACTION_ACTIONS].sort());
      expect(fn.Properties.Environment.Variables.VERITY_UPLOADS_BUCKET).toEqual({ Ref: bucketOf()[0] });
    }
  });
});

describe('policy checks', () => {
  it('passes the cdk-nag AwsSolutions and Serverless packs: the synthesis above ran them and did not throw', () => {
    // What the packs find before acknowledgements: proof that they looked at this stack.
    const findings = [new AwsSolutionsChecks(synth.app), new ServerlessChecks(synth.app)].flatMap((pack) =>
      pack.validateScope(synth.stack).violations.map((v) => v.ruleName),
    );
    expect(findings).toEqual(
      expect.arrayContaining(['AwsSolutions-IAM5[Resource::*]', 'AwsSolutions-APIG4', 'Serverless-LambdaDLQ', 'AwsSolutions-SMG4']),
    );
  });

  it('runs AWS Control Tower’s proactive controls, offline, and the stack passes them: what is left is acknowledged with a reason', () => {
    expect(new CfnGuardValidator().ruleIds!.length).toBeGreaterThan(100);
    // What the synthesis above found, on every template: the parent's and each room's (lib/policy-checks.ts). Its report
    // keeps the acknowledged findings apart; running cfn-guard again on the same templates would find the same ones.
    const report = JSON.parse(readFileSync(join(synth.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: { ruleName: string }[]; suppressedViolations?: { ruleName: string }[] }[];
    };
    const guard = report.pluginReports.find((plugin) => plugin.pluginName === 'cdk-validator-cfnguard')!;
    expect(guard.violations).toEqual([]);
    const failed = [...new Set((guard.suppressedViolations ?? []).map((v) => v.ruleName))].sort();
    // Before acknowledgements, exactly what does not apply to Verity is left (each acknowledged next to its construct).
    expect(failed).toEqual([
      'api_gw_v2_authorization_type_configured_check',
      // The key table: a backup would bring destroyed keys back (docs/reference/redaction.md, *Crypto-shredding*).
      'dynamodb_table_pitr_enabled_check',
      'lambda_function_public_access_prohibited_check',
      'lambda_inside_vpc_check',
      's3_bucket_logging_enabled_check',
      's3_bucket_object_lock_enabled_check',
      's3_event_notifications_enabled_check',
      'sqs_dlq_check',
    ]);
    const acknowledged = JSON.stringify(
      synth.app.node
        .findAll()
        .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => m.data)),
    );
    for (const rule of failed) expect(acknowledged).toContain(`cdk-validator-cfnguard::${rule}`);
  });

  it('fails the synthesis on a Control Tower finding nobody acknowledged', () => {
    const app = new App();
    const stack = new Stack(app, 'Unguarded');
    new CfnLogGroup(stack, 'Logs', { retentionInDays: 7 });
    addPolicyChecks(app);
    expect(() => app.synth()).toThrow();
    const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: { ruleName: string }[] }[];
    };
    const guard = report.pluginReports.find((p) => p.pluginName === 'cdk-validator-cfnguard')!;
    expect(guard.violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining(['cloudwatch_log_group_retention_period_check', 'cloudwatch_log_group_encrypted_check']),
    );
  });

  it('runs the Control Tower rules on nested stacks too: an unacknowledged finding in one fails the synthesis', () => {
    const app = new App();
    const stack = new Stack(app, 'Parent');
    new CfnLogGroup(new NestedStack(stack, 'Room'), 'Logs', { retentionInDays: 7 });
    addPolicyChecks(app);
    expect(() => app.synth()).toThrow();
    const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
    };
    const guard = report.pluginReports.find((p) => p.pluginName === 'cdk-validator-cfnguard')!;
    const retention = guard.violations.find((v) => v.ruleName === 'cloudwatch_log_group_retention_period_check')!;
    expect(retention.violatingConstructs.map((c) => c.constructPath)).toEqual(['Parent/Room/Logs']);
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

  it('stay under 400 KB each (100 KB more with the S3 client, 40 KB more with the page’s formatter), no other endpoint’s handler', () => {
    for (const route of routes) {
      // The S3 client is about 180 KB minified (its schemas alone 67 KB): only the routes that read
      // or presign uploads carry it (route.uploads), and no route that lists or describes files.
      // The routes that render the page's words carry intl-messageformat and its parser (34 KB
      // minified) and the catalogue loader, never the catalogues: those are files beside the bundle.
      const formatter = inputsOf(route).some((input) => input.endsWith('functions/hosted-page/catalogue-files.ts'));
      // The Rekognition client (about 80 KB minified) only where a route calls the face collections (`faces`).
      expect(statSync(bundleOf(route)).size, route.name).toBeLessThan(
        (400 + (route.uploads ? 100 : 0) + (formatter ? 40 : 0) + (route.faces ? 100 : 0)) * 1024,
      );
      expect(
        inputsOf(route).filter((input) => input.includes('functions/hosted-page/catalogues/')),
        route.name,
      ).toEqual([]);
      if (!route.uploads)
        expect(
          inputsOf(route).filter((input) => input.includes('@aws-sdk/client-s3')),
          route.name,
        ).toEqual([]);
      const handlers = inputsOf(route).filter((input) => /functions\/(http|console)\/[a-z-]+\.ts$/.test(input));
      for (const other of routes.filter((r) => r.handler !== route.handler)) {
        expect(
          handlers.some((input) => input.endsWith(`functions/${other.handler}.ts`)),
          `${route.name} bundles ${other.handler}`,
        ).toBe(false);
      }
    }
    const unrecognized = routes.find((r) => r.name === 'UnrecognizedRequestUrl')!;
    expect(inputsOf(unrecognized).filter((input) => input.includes('@aws-sdk'))).toEqual([]);
  });

  it('carry the page’s catalogues as files, one per language, beside exactly the bundles that read them', () => {
    const readers = routes.filter((route) => inputsOf(route).some((input) => input.endsWith('functions/hosted-page/catalogue-files.ts')));
    expect(readers.map((route) => route.name)).toEqual(expect.arrayContaining(['ShowVerificationPage', 'SubmitVerification']));
    for (const route of routes) {
      const folder = join(bundleOf(route), '..', 'catalogues');
      if (readers.includes(route)) {
        expect(readdirSync(folder).sort(), route.name).toEqual(PAGE_LANGUAGES.map((tag) => `${tag}.json`).sort());
      } else expect(existsSync(folder), route.name).toBe(false);
    }
  });

  it(
    'keep the workers within their budgets: the checks worker under 700 KB, the redaction functions and blocklist check under 500 KB, ' +
      'every other under 400 KB',
    () => {
      // The checks worker carries the Textract, Rekognition and Lambda clients and the MRZ parser; the
      // redaction functions the S3 client, to delete a session's uploads; the blocklist check the S3 and Rekognition
      // clients, to read and search selfies. The same budgets as npm run bench.
      const budgetKb = (description: string) =>
        description.startsWith('Verity checks worker')
          ? 700
          : description.startsWith('Verity redaction ') || description.startsWith('Verity blocklist check')
            ? 500
            : 400;
      const routeFunctions = new Set(routes.map((route) => functionOf(route)[0]));
      const workers = ofType('AWS::Lambda::Function').filter(([id, r]) => !routeFunctions.has(id) && r.Metadata?.['aws:asset:path']);
      expect(workers.map(([, r]) => String(r.Properties.Description))).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^Verity checks worker/),
          expect.stringMatching(/^Verity redaction worker/),
          expect.stringMatching(/^Verity redaction backstop/),
        ]),
      );
      for (const [, worker] of workers) {
        const description = String(worker.Properties.Description);
        expect(statSync(join(synth.outdir, worker.Metadata!['aws:asset:path'], 'index.mjs')).size, description).toBeLessThan(
          budgetKb(description) * 1024,
        );
      }
    },
  );

  it('keep Textract, Rekognition and Lambda clients out of every API function: only the checks worker bundles them', () => {
    const liveClients = (inputs: string[]) => inputs.filter((input) => /@aws-sdk\/client-(textract|rekognition|lambda)\//.test(input));
    // The blocklist routes that index or delete a selfie's face (`faces`) carry the Rekognition client, and no other;
    for (const route of routes) {
      const clients = new Set(liveClients(inputsOf(route)).map((input) => /client-(\w+)/.exec(input)![1]));
      // And the route that starts a liveness session (`faceLiveness`): CreateFaceLivenessSession.
      expect([...clients], route.name).toEqual(route.faces || route.faceLiveness ? ['rekognition'] : []);
    }
    const [, worker] = ofType('AWS::Lambda::Function').find(([, r]) =>
      String(r.Properties.Description).startsWith('Verity checks worker'),
    )!;
    const workerInputs = Object.keys(
      JSON.parse(readFileSync(join(synth.outdir, worker.Metadata!['aws:asset:path'], 'index.meta.json'), 'utf8')).inputs as object,
    );
    expect(new Set(liveClients(workerInputs).map((input) => /client-(\w+)/.exec(input)![1]))).toEqual(
      new Set(['textract', 'rekognition', 'lambda']),
    );
  });

  it('run as Lambda runs them: the bundled create and retrieve handlers work against DynamoDB', async () => {
    const { secretKey } = await newTestAccount();
    const load = async (name: string) => {
      const module = await import(/* @vite-ignore */ pathToFileURL(bundleOf(routes.find((r) => r.name === name)!)).href);
      return module.handler as (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
    };
    const create = await load('CreateVerificationSession');
    const created = await create(
      httpApiEvent({ method: 'POST', path: '/v1/identity/verification_sessions', secretKey, form: 'type=document' }),
      lambdaContext,
    );
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
