/**
 * The console's store against DynamoDB Local: a link is spent once even by two requests at once,
 * nothing is stored in clear, a console session ends at once, and audit entries are appended with
 * the retention the configuration names.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { newConsoleToken } from '../../../functions/console/console-access';
import { newAccountId } from '../../../functions/domain/api-keys';
import { auditRetentionDays, listConsoleAuditEvents, recordConsoleAudit } from '../../../functions/store/audit-log';
import { dynamo } from '../../../functions/store/client';
import {
  endConsoleAccess,
  endConsoleSession,
  findConsoleSession,
  listConsoleAccess,
  saveConsoleLink,
  saveConsoleSession,
  spendConsoleLink,
} from '../../../functions/store/console-sessions';
import { newObjectId } from '../../../functions/domain/ids';
import { tableName } from '../../../functions/store/schema';

const scope = () => ({ account: newAccountId(), mode: 'live' as const });
const grant = () => ({ scope: scope(), email: 'ops@example.com', role: 'reviewer' as const });

afterEach(() => {
  delete process.env.VERITY_CONSOLE_AUDIT_RETENTION_DAYS;
});

describe('sign-in links', () => {
  it('are spent once: of two requests at once one gets the grant, and neither a later one', async () => {
    const token = newConsoleToken();
    const given = grant();
    const now = new Date();
    await saveConsoleLink(token, given, now);
    const spent = await Promise.all([spendConsoleLink(token, now), spendConsoleLink(token, now)]);
    expect(spent.filter(Boolean)).toEqual([given]);
    expect(await spendConsoleLink(token, now)).toBeUndefined();
  });

  it('expire after 10 minutes, and are stored without the token in any attribute', async () => {
    const token = newConsoleToken();
    const made = new Date(Date.now() - 10 * 60 * 1000);
    await saveConsoleLink(token, grant(), made);
    expect(await spendConsoleLink(token, new Date())).toBeUndefined();
    const { Items } = await dynamo().send(
      new ScanCommand({
        TableName: tableName(),
        FilterExpression: 'begins_with(pk, :prefix)',
        ExpressionAttributeValues: { ':prefix': 'console_' },
      }),
    );
    expect(JSON.stringify(Items)).not.toContain(token);
  });
});

describe('console sessions', () => {
  it('are listed and ended however many newer ones have ended: a page of ended ones hides no live one', async () => {
    const own = scope();
    const now = new Date();
    const at = (ms: number) => new Date(now.getTime() + ms);
    // The operator to remove signed in first; then 230 sign-ins that have ended since (kept until their TTL).
    await saveConsoleSession(
      newConsoleToken(),
      newObjectId('cs', now.getTime()),
      { scope: own, email: 'victim@example.com', role: 'reviewer' },
      now,
    );
    for (let i = 1; i <= 230; i++) {
      const token = newConsoleToken();
      await saveConsoleSession(
        token,
        newObjectId('cs', at(i * 10).getTime()),
        { scope: own, email: 'filler@example.com', role: 'viewer' },
        at(i * 10),
      );
      await endConsoleSession(token, at(i * 10));
    }
    const later = at(5000);
    expect((await listConsoleAccess(own, later)).sessions.map((session) => session.email)).toEqual(['victim@example.com']);
    expect((await endConsoleAccess(own, { email: 'victim@example.com' }, later)).sessions.map((session) => session.email)).toEqual([
      'victim@example.com',
    ]);
    expect((await listConsoleAccess(own, later)).sessions).toEqual([]);
  });

  it('end at once, and expire after 8 hours', async () => {
    const token = newConsoleToken();
    const now = new Date();
    const session = await saveConsoleSession(token, 'cs_test', grant(), now);
    expect(session.expires - session.created).toBe(8 * 60 * 60);
    expect(await findConsoleSession(token, now)).toMatchObject({ id: 'cs_test', role: 'reviewer' });
    expect(await findConsoleSession(token, new Date(now.getTime() + 8 * 60 * 60 * 1000))).toBeUndefined();
    expect(await endConsoleSession(token, now)).toBe(true);
    expect(await findConsoleSession(token, now)).toBeUndefined();
    expect(await endConsoleSession(token, now)).toBe(false);
  });
});

describe('the audit log', () => {
  const entry = {
    action: 'reveal' as const,
    operator: { email: 'ops@example.com', role: 'reviewer' as const, console_session: 'cs_x' },
    target: { object: 'identity.verification_session' as const, id: 'vs_x' },
    request: 'req_x',
  };

  it('keeps entries a year unless configured, and lists them newest first within their scope only', async () => {
    const own = scope();
    const now = new Date();
    const first = await recordConsoleAudit(own, entry, now);
    process.env.VERITY_CONSOLE_AUDIT_RETENTION_DAYS = '30';
    const second = await recordConsoleAudit(own, { ...entry, action: 'image_view' }, new Date(now.getTime() + 1000));
    await recordConsoleAudit(scope(), entry, now);
    const { data } = await listConsoleAuditEvents(own, { limit: 10 });
    expect(data.map((event) => event.id)).toEqual([second.id, first.id]);
    // Every page of the scan: the shared table holds more than one page (1 MB) of other files' items.
    const Items: Record<string, any>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamo().send(
        new ScanCommand({
          TableName: tableName(),
          FilterExpression: 'id IN (:a, :b)',
          ExpressionAttributeValues: { ':a': first.id, ':b': second.id },
          ExclusiveStartKey,
        }),
      );
      Items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    const ttl = Object.fromEntries(Items.map((item) => [item.id, item.expires_at - Math.floor(item.audit_event.created)]));
    expect(ttl[first.id]).toBe(365 * 24 * 60 * 60);
    expect(ttl[second.id]).toBe(30 * 24 * 60 * 60);
  });

  it('refuses a retention nobody could mean', () => {
    for (const setting of ['0', '3651', '1.5', 'a year']) {
      process.env.VERITY_CONSOLE_AUDIT_RETENTION_DAYS = setting;
      expect(() => auditRetentionDays()).toThrow(/VERITY_CONSOLE_AUDIT_RETENTION_DAYS/);
    }
  });
});
