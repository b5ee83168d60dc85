/** The session store against DynamoDB Local: version-guarded writes and the cost of a list page. */
import { describe, expect, it } from 'vitest';
import { newAccountId } from '../../../functions/domain/api-keys';
import { createVerificationSession, updateVerificationSession } from '../../../functions/domain/verification-session';
import type { Scope } from '../../../functions/domain/scope';
import { dynamo } from '../../../functions/store/client';
import { FILTERED_READ_BUDGET } from '../../../functions/store/list-page';
import { changeSession, getSession, insertSession, listSessions } from '../../../functions/store/sessions';
import { newObjectId } from '../../../functions/domain/ids';
import { countCalls } from '../../support/dynamo-calls';
import { seedSessions } from '../../support/seed-sessions';

const newScope = (): Scope => ({ account: newAccountId(), mode: 'test' });

async function seed(scope: Scope, count: number, input: (i: number) => Parameters<typeof createVerificationSession>[0]) {
  const sessions = [];
  for (let i = 0; i < count; i++) {
    const now = new Date(Date.UTC(2026, 0, 1) + i * 1500);
    const session = createVerificationSession(input(i), { id: newObjectId('vs', now.getTime()), scope, now });
    await insertSession({ session, events: [] });
    sessions.push(session);
  }
  return sessions;
}

describe('version-guarded writes', () => {
  it('starts at version 1 and bumps the version with every change', async () => {
    const scope = newScope();
    const [session] = await seed(scope, 1, () => ({ type: 'document' }));
    expect((await getSession(scope, session!.id))!.version).toBe(1);
    await changeSession(scope, session!.id, (s) => ({ session: updateVerificationSession(s, { metadata: { a: '1' } }), events: [] }));
    await changeSession(scope, session!.id, (s) => ({ session: updateVerificationSession(s, { metadata: { b: '2' } }), events: [] }));
    expect(await getSession(scope, session!.id)).toMatchObject({ version: 3, session: { metadata: { a: '1', b: '2' } } });
  });

  it('re-decides a change on the state that beat it, without reading again', async () => {
    const scope = newScope();
    const [session] = await seed(scope, 1, () => ({ type: 'document' }));
    const decisions: Record<string, string>[] = [];
    let competitorDone = false;
    const { calls } = await countCalls(async () => {
      // Just before our write is sent, another request changes the session: our write must lose.
      dynamo().middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'TransactWriteItemsCommand' && !competitorDone) {
            competitorDone = true;
            await changeSession(scope, session!.id, (s) => ({
              session: updateVerificationSession(s, { metadata: { theirs: 'yes' } }),
              events: [],
            }));
          }
          return next(args);
        },
        { step: 'initialize', name: 'competitor', priority: 'low' },
      );
      try {
        return await changeSession(scope, session!.id, (current) => {
          decisions.push(current.metadata);
          return { session: updateVerificationSession(current, { metadata: { mine: 'yes' } }), events: [] };
        });
      } finally {
        dynamo().middlewareStack.remove('competitor');
      }
    });
    expect(decisions).toEqual([{}, { theirs: 'yes' }]);
    // Ours: read, lost write, winning write. The competitor's own read and write sit in between.
    expect(calls).toEqual([
      'GetItemCommand',
      'TransactWriteItemsCommand',
      'GetItemCommand',
      'TransactWriteItemsCommand',
      'TransactWriteItemsCommand',
    ]);
    expect(await getSession(scope, session!.id)).toMatchObject({ version: 3, session: { metadata: { theirs: 'yes', mine: 'yes' } } });
  });

  it('refuses to create a session whose id exists', async () => {
    const scope = newScope();
    const [session] = await seed(scope, 1, () => ({ type: 'document' }));
    await expect(insertSession({ session: session!, events: [] })).rejects.toMatchObject({ name: 'TransactionCanceledException' });
  });
});

describe('a list page costs the same whatever the table holds', () => {
  it('sends exactly one Query per page for each single filter, with or without a cursor, and one BatchGetItem for its items', async () => {
    const scope = newScope();
    const sessions = await seed(scope, 30, (i) => ({
      type: 'document',
      client_reference_id: `ref_${i % 2}`,
      related_customer: `cus_${i % 2}`,
      related_customer_account: `acct_${i % 2}`,
    }));
    const middle = sessions[15]!.id;
    const queries = [
      {},
      { status: 'requires_input' as const },
      { clientReferenceId: 'ref_1' },
      { relatedCustomer: 'cus_1' },
      { relatedCustomerAccount: 'acct_1' },
      { created: { gte: sessions[3]!.created, lt: sessions[25]!.created } },
    ];
    for (const query of queries) {
      for (const cursor of [{}, { startingAfter: middle }, { endingBefore: middle }]) {
        const { result, calls } = await countCalls(() => listSessions(scope, { limit: 5, ...query, ...cursor }));
        // The lean index holds the keys; the page's sessions come in one BatchGetItem (functions/store/partition.ts).
        expect(calls, JSON.stringify({ query, cursor })).toEqual(['QueryCommand', 'BatchGetItemCommand']);
        expect(result.sessions.length, JSON.stringify({ query, cursor })).toBeGreaterThan(0);
      }
    }
  });
});

describe('a page with two filters', () => {
  it('reads in large steps, so a rare match behind many others costs few round trips', async () => {
    const scope = newScope();
    const sessions = await seed(scope, 250, (i) => ({
      type: 'document',
      client_reference_id: 'same',
      ...(i === 0 ? { related_customer: 'cus_rare' } : {}),
    }));
    const { result, calls } = await countCalls(() =>
      listSessions(scope, { limit: 10, clientReferenceId: 'same', relatedCustomer: 'cus_rare' }),
    );
    expect(result).toEqual({ sessions: [sessions[0]], hasMore: false });
    // The first filter picks the index (250 candidates); reading them 200 at a time takes 2 queries. The second filter is tested on the
    // index (its attribute is projected), so only the match is fetched.
    expect(calls).toEqual(['QueryCommand', 'QueryCommand', 'BatchGetItemCommand']);
  });
});

describe('a page with two filters reads a fixed number of items whatever the table holds', () => {
  it('never answers an empty page that says the list goes on: past its budget it reads on to the first match or the end', async () => {
    const scope = newScope();
    const total = FILTERED_READ_BUDGET + 150;
    // The only match is the oldest session, read last going newest first and first going backwards.
    // The reference picks the index (every session); the customer is checked on the items read.
    const sessions = await seedSessions(scope, total, (i) => ({
      type: 'document',
      client_reference_id: 'same',
      related_customer: i === 0 ? 'cus_wanted' : 'cus_other',
    }));
    const { result: newestFirst, itemsRead } = await countCalls(() =>
      listSessions(scope, { limit: 1, clientReferenceId: 'same', relatedCustomer: 'cus_wanted' }),
    );
    expect(newestFirst.sessions.map((session) => session.id)).toEqual([sessions[0]!.id]);
    expect(newestFirst.hasMore).toBe(false);
    expect(itemsRead).toBeGreaterThan(FILTERED_READ_BUDGET);
    // Nothing matches: every item is read once, and the page is empty and final.
    for (const cursor of [{}, { endingBefore: 'vs_0' }]) {
      const { result, itemsRead: read } = await countCalls(() =>
        listSessions(scope, { limit: 1, clientReferenceId: 'same', relatedCustomer: 'cus_none', ...cursor }),
      );
      expect(result).toEqual({ sessions: [], hasMore: false });
      expect(read).toBe(total);
    }
  });

  it('walks every match page by page in both directions, each page within the budget', async () => {
    const scope = newScope();
    const sessions = await seedSessions(scope, FILTERED_READ_BUDGET + 150, (i) => ({
      type: 'document',
      // The reference picks the index (every session); the customer is checked on the items read.
      client_reference_id: 'same',
      related_customer: i % 250 === 7 || i === 8 ? 'cus_wanted' : 'cus_other',
    }));
    const matches = sessions.filter((session) => session.related_customer === 'cus_wanted').map((session) => session.id);
    const walk = async (backwards: boolean) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = backwards ? { endingBefore: cursor ?? 'vs_0' } : { startingAfter: cursor };
        const { result, itemsRead } = await countCalls(() =>
          listSessions(scope, { limit: 2, clientReferenceId: 'same', relatedCustomer: 'cus_wanted', ...page }),
        );
        expect(itemsRead).toBeLessThanOrEqual(FILTERED_READ_BUDGET);
        const ids = result.sessions.map((session) => session.id);
        seen.push(...(backwards ? ids.reverse() : ids));
        if (!result.hasMore) return seen;
        cursor = seen.at(-1);
      }
    };
    expect(await walk(false)).toEqual([...matches].reverse());
    expect(await walk(true)).toEqual(matches);
  });
});
