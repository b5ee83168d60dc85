/**
 * Restricted keys and sensitive verification results as Stripe has them, through the `stripe`
 * SDK: per-resource permissions, the sensitive results permission and its 48 hours, allowed IPs
 * (the local gateway's sourceIp is the socket's address, 127.0.0.1), and the Files API for the
 * images a report names.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyResource } from '../../functions/domain/api-keys';
import type { Scope } from '../../functions/domain/scope';
import { dynamo } from '../../functions/store/client';
import { describeFile } from '../../functions/store/file-descriptions';
import { tableName } from '../../functions/store/schema';
import { fileInfoItem } from '../../functions/store/submissions';
import { getSession } from '../../functions/store/sessions';
import { getReport, reportItem } from '../../functions/store/verification-reports';
import type { LocalRuntime } from '../../local/runtime';
import { newRestrictedKey } from '../support/accounts';
import { jpegHeader, pngImage } from '../support/images';
import { failure, newStripeAccount, startService, stripeClient } from '../support/local-service';
import { acceptOnPage, eventually, expectStatus, submitOnPage } from '../support/verification';

let service: LocalRuntime;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.stop());

const JPEG_BYTES = jpegHeader(40, 30);
const PNG_BYTES = pngImage(8, 8);
const HOURS = 3600;

/** A session a person verified on the page with a document (front and back) and a selfie. */
async function verifiedOnPage(stripe: Stripe) {
  const session = await stripe.identity.verificationSessions.create({
    type: 'document',
    options: { document: { require_matching_selfie: true } },
    return_url: 'https://shop.example.com/done',
  });
  const submitted = await submitOnPage(service.url, session.url!, {
    document_type: 'driving_license',
    // Uploaded through the page's presigned contract, as the page's script does.
    document_front: JPEG_BYTES,
    document_back: JPEG_BYTES,
    selfie: PNG_BYTES,
    test_case: 'verified',
  });
  expect(submitted.status).toBe(200);
  const verified = await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('verified'));
  const report = await stripe.identity.verificationReports.retrieve(verified.last_verification_report as string);
  return { session: verified, report };
}

/**
 * Moves the verification's processing (its report's `created`) and its images' submission (their
 * stored `created`) back in time, as if it happened `hours` ago. Each item is written again as the
 * store writes it (`reportItem`, `fileInfoItem`), so the report's sealed copy says the same as its
 * clear one.
 */
async function backdate(scope: Scope, report: Stripe.Identity.VerificationReport, hours: number) {
  const when = Math.floor(Date.now() / 1000) - hours * HOURS;
  const put = (Item: Record<string, unknown>) => dynamo().send(new PutCommand({ TableName: tableName(), Item }));
  const stored = await getReport(scope, report.id);
  await put(reportItem({ ...stored!, created: when }));
  for (const file of [...(report.document?.files ?? []), ...(report.selfie?.selfie ? [report.selfie.selfie] : [])]) {
    const info = await describeFile(scope, file);
    await put(fileInfoItem(scope, { ...info!, created: when }));
  }
}

/** Fetches a file's `url` (on VERITY_PUBLIC_URL, the API's public address) from the local service, with an API key as Stripe's are sent. */
const contentsOf = (file: Pick<Stripe.File, 'url'>, key: string) =>
  fetch(`${service.url}${new URL(file.url!).pathname}`, { headers: { authorization: `Bearer ${key}` } });

describe('restricted keys', () => {
  it('made with no options read every resource, write nothing and see nothing sensitive (403 naming the permission)', async () => {
    const { stripe, scope } = await newStripeAccount(service);
    const readOnlyKey = await newRestrictedKey(scope);
    const readOnly = stripeClient(service, readOnlyKey);
    const { session, report } = await verifiedOnPage(stripe);

    expect((await readOnly.identity.verificationSessions.retrieve(session.id)).status).toBe('verified');
    expect((await readOnly.identity.verificationReports.retrieve(report.id)).document).not.toHaveProperty('dob');
    expect((await readOnly.events.list()).data.length).toBeGreaterThan(0);
    expect((await readOnly.files.list()).data).toHaveLength(3);

    const create = await failure(readOnly.identity.verificationSessions.create({ type: 'document' }));
    expect(create).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect(create).toMatchObject({ statusCode: 403, type: 'StripePermissionError' });
    expect(create.message).toContain("Having the 'verification_sessions_write' permission would allow this request to continue.");
    expect(create.message).toContain(scope.account);

    const sensitive = await failure(readOnly.identity.verificationReports.retrieve(report.id, { expand: ['document.dob'] }));
    expect(sensitive).toMatchObject({ statusCode: 403, param: 'expand' });
    expect(sensitive.message).toContain("'sensitive_verification_results_read'");
    const contents = await contentsOf(await readOnly.files.retrieve(report.document!.files![0]!), readOnlyKey);
    expect(contents.status).toBe(403);
  });

  it("are held to each resource's read and write permission", async () => {
    const { stripe, scope } = await newStripeAccount(service);
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const reads: Record<KeyResource, (client: Stripe) => Promise<unknown>> = {
      verification_sessions: (client) => client.identity.verificationSessions.list(),
      verification_reports: (client) => client.identity.verificationReports.list(),
      events: (client) => client.events.list(),
      files: (client) => client.files.list(),
      webhook_endpoints: (client) => client.webhookEndpoints.list(),
      blocklist_entries: (client) => client.rawRequest('GET', '/v1/identity/blocklist_entries', {}),
    };
    const writes: Partial<Record<KeyResource, (client: Stripe) => Promise<unknown>>> = {
      verification_sessions: (client) => client.identity.verificationSessions.update(session.id, { metadata: { by: 'rk' } }),
      webhook_endpoints: (client) => client.webhookEndpoints.create({ url: 'https://hooks.example.com/verity', enabled_events: ['*'] }),
    };
    for (const resource of Object.keys(reads) as KeyResource[]) {
      const none = stripeClient(service, await newRestrictedKey(scope, { permissions: { [resource]: 'none' } }));
      const refused = await failure(reads[resource](none));
      expect(refused, resource).toBeInstanceOf(Stripe.errors.StripePermissionError);
      expect(refused.message).toContain(`'${resource}_read'`);
      const read = stripeClient(service, await newRestrictedKey(scope, { permissions: { [resource]: 'read' } }));
      await reads[resource](read);
      const write = writes[resource];
      if (!write) continue;
      const noWrite = await failure(write(read));
      expect(noWrite.message, resource).toContain(`'${resource}_write'`);
      const writer = stripeClient(service, await newRestrictedKey(scope, { permissions: { [resource]: 'write' } }));
      await write(writer);
      // Write includes read.
      await reads[resource](writer);
    }
    // Expanding another resource's object needs its read permission.
    const noReports = stripeClient(service, await newRestrictedKey(scope, { permissions: { verification_reports: 'none' } }));
    const expanded = await failure(noReports.identity.verificationSessions.retrieve(session.id, { expand: ['last_verification_report'] }));
    expect(expanded.message).toContain("'verification_reports_read'");
  });

  it(
    'that may only read sessions change none: a retrieve renews no spent link, and they are shown no client_secret or url to ' + 'spend',
    async () => {
      const { stripe, scope } = await newStripeAccount(service);
      const readOnly = stripeClient(service, await newRestrictedKey(scope, { permissions: { verification_sessions: 'read' } }));
      const session = await stripe.identity.verificationSessions.create({ type: 'document' });
      const version = async () => (await getSession(scope, session.id))!.version;
      const before = await version();
      // A link still usable is not shown: whoever holds it can open the page and spend it, locking the person out.
      for (const seen of [
        await readOnly.identity.verificationSessions.retrieve(session.id),
        (await readOnly.identity.verificationSessions.list()).data[0]!,
      ]) {
        expect(seen).toMatchObject({ id: session.id, status: 'requires_input', client_secret: null, url: null });
      }
      // The person spends theirs; a read-only retrieve mints no new one (a write), and the session is as it was.
      await acceptOnPage(service.url, session.url!);
      const spent = await version();
      expect(spent).toBe(before + 1);
      expect(await readOnly.identity.verificationSessions.retrieve(session.id)).toMatchObject({ client_secret: null, url: null });
      expect(await version()).toBe(spent);
      // A key that may write sessions renews them as before.
      const writer = stripeClient(service, await newRestrictedKey(scope, { permissions: { verification_sessions: 'write' } }));
      const renewed = await writer.identity.verificationSessions.retrieve(session.id);
      expect(renewed.url).toMatch(/\/start\//);
      expect(renewed.url).not.toBe(session.url);
      expect(await version()).toBe(spent + 1);
    },
  );
});

describe('sensitive verification results', () => {
  it('a secret key that expands one gets a 403 saying a restricted key is needed; everything else works as before', async () => {
    const { stripe, secretKey } = await newStripeAccount(service);
    const { session, report } = await verifiedOnPage(stripe);
    for (const request of [
      () => stripe.identity.verificationSessions.retrieve(session.id, { expand: ['verified_outputs.dob'] }),
      () => stripe.identity.verificationReports.retrieve(report.id, { expand: ['document.number'] }),
      () => stripe.identity.verificationReports.list({ expand: ['data.document.dob'] }),
      () => stripe.identity.verificationSessions.list({ expand: ['data.verified_outputs.id_number'] }),
    ]) {
      const error = await failure(request());
      expect(error).toBeInstanceOf(Stripe.errors.StripePermissionError);
      expect(error).toMatchObject({ statusCode: 403, code: 'restricted_key_required', param: 'expand' });
      expect(error.message).toMatch(
        /^Sensitive verification results \((data\.)?[a-z_.]+\) can only be read with a restricted API key \(rk_\.\.\.\)/,
      );
    }
    const outputs = (await stripe.identity.verificationSessions.retrieve(session.id, { expand: ['verified_outputs'] })).verified_outputs;
    expect(outputs).toMatchObject({ first_name: 'Jenny', last_name: 'Rosen' });
    expect(outputs).not.toHaveProperty('dob');
    const file = await stripe.files.retrieve(report.document!.files![0]!);
    expect(file).toMatchObject({ object: 'file', purpose: 'identity_document' });
    const contents = await contentsOf(file, secretKey);
    expect(contents.status).toBe(403);
    expect(((await contents.json()) as { error: { code: string } }).error.code).toBe('restricted_key_required');
  });

  it(
    'a restricted key with the permission reads them for 48 hours after processing; an IP-restricted one always, from an allowed ' +
      'address only',
    async () => {
      const { stripe, scope } = await newStripeAccount(service);
      const { session, report } = await verifiedOnPage(stripe);
      const recentKey = await newRestrictedKey(scope, { sensitive_results: true });
      const recent = stripeClient(service, recentKey);
      const fromHereKey = await newRestrictedKey(scope, { sensitive_results: true, allowed_ips: ['127.0.0.0/8', '::1'] });
      const fromHere = stripeClient(service, fromHereKey);
      const elsewhere = stripeClient(service, await newRestrictedKey(scope, { sensitive_results: true, allowed_ips: ['203.0.113.0/24'] }));

      const readAll = async (client: Stripe, key: string) => {
        const outputs = (await client.identity.verificationSessions.retrieve(session.id, { expand: ['verified_outputs.dob'] }))
          .verified_outputs;
        const document = (await client.identity.verificationReports.retrieve(report.id, { expand: ['document.dob', 'document.number'] }))
          .document;
        const contents = await contentsOf(await client.files.retrieve(report.document!.files![0]!), key);
        return { outputs, document, contents };
      };
      for (const [client, key] of [
        [recent, recentKey],
        [fromHere, fromHereKey],
      ] as const) {
        const { outputs, document, contents } = await readAll(client, key);
        expect(outputs?.dob).toEqual({ day: 14, month: 7, year: 1990 });
        expect(document).toMatchObject({ dob: { day: 14, month: 7, year: 1990 }, number: 'D1234567' });
        expect(contents.status).toBe(200);
        expect(contents.headers.get('content-type')).toBe('image/jpeg');
        expect(contents.headers.get('cache-control')).toBe('no-cache, no-store');
        expect(Buffer.from(await contents.arrayBuffer())).toEqual(JPEG_BYTES);
      }
      // An IP-restricted key is refused everything from an address outside its ranges.
      const away = await failure(elsewhere.identity.verificationSessions.retrieve(session.id));
      expect(away).toBeInstanceOf(Stripe.errors.StripePermissionError);
      expect(away.message).toContain('cannot be used from the IP address 127.0.0.1');

      // Processed 49 hours ago: only the IP-restricted key still reads them.
      await backdate(scope, report, 49);
      for (const request of [
        () => recent.identity.verificationSessions.retrieve(session.id, { expand: ['verified_outputs.dob'] }),
        () => recent.identity.verificationReports.retrieve(report.id, { expand: ['document.dob'] }),
        () => recent.identity.verificationReports.list({ expand: ['data.document.number'] }),
      ]) {
        const error = await failure(request());
        expect(error).toMatchObject({ statusCode: 403, param: 'expand' });
        expect(error.message).toContain('processed more than 48 hours ago can only be read with an IP-restricted API key');
      }
      expect((await contentsOf(await recent.files.retrieve(report.document!.files![0]!), recentKey)).status).toBe(403);
      // What is not sensitive stays readable with the same key.
      expect((await recent.identity.verificationReports.retrieve(report.id)).document).toMatchObject({ first_name: 'Jenny' });
      const late = await readAll(fromHere, fromHereKey);
      expect(late.document).toMatchObject({ number: 'D1234567' });
      expect(late.contents.status).toBe(200);
    },
  );
});

describe('an idempotent replay of sensitive results', () => {
  it('is held to the 48 hours as a new read is', async () => {
    const { stripe, scope } = await newStripeAccount(service);
    const tester = stripeClient(
      service,
      await newRestrictedKey(scope, { permissions: { verification_sessions: 'write' }, sensitive_results: true }),
    );
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const verify = () =>
      tester.rawRequest(
        'POST',
        `/v1/test_helpers/identity/verification_sessions/${session.id}/verify`,
        { expand: ['verified_outputs.dob'] },
        { idempotencyKey: `verify-${session.id}` },
      ) as Promise<Stripe.Identity.VerificationSession & { lastResponse: { headers: Record<string, string> } }>;
    const first = await verify();
    expect(first.verified_outputs?.dob).toEqual({ day: 14, month: 7, year: 1990 });
    const replay = await verify();
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(replay.verified_outputs?.dob).toEqual({ day: 14, month: 7, year: 1990 });

    const report = await stripe.identity.verificationReports.retrieve(first.last_verification_report as string);
    await backdate(scope, report, 49);
    const late = await failure(verify());
    expect(late).toMatchObject({ statusCode: 403, param: 'expand' });
    expect(late.message).toContain('processed more than 48 hours ago');
  });
});

describe('the Files API', () => {
  it('retrieves and lists the images a report names, with their contents, until the session is redacted', async () => {
    const { stripe, scope } = await newStripeAccount(service);
    const { session, report } = await verifiedOnPage(stripe);
    const key = await newRestrictedKey(scope, { sensitive_results: true, permissions: { verification_sessions: 'write' } });
    const restricted = stripeClient(service, key);
    const [front, back] = report.document!.files!;
    expect(report.selfie).toMatchObject({ document: front, selfie: expect.stringMatching(/^file_/) });
    const selfieId = report.selfie!.selfie!;

    const file = await restricted.files.retrieve(front!);
    expect(file).toEqual(
      expect.objectContaining({
        id: front,
        object: 'file',
        purpose: 'identity_document',
        size: JPEG_BYTES.length,
        type: 'jpg',
        url: `${process.env.VERITY_PUBLIC_URL}/v1/files/${front}/contents`,
        created: expect.any(Number),
        expires_at: null,
        filename: null,
        links: null,
        title: null,
      }),
    );
    const selfie = await restricted.files.retrieve(selfieId);
    expect(selfie).toMatchObject({ purpose: 'selfie', type: 'png', size: PNG_BYTES.length });
    const selfieContents = await contentsOf(selfie, key);
    expect(selfieContents.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await selfieContents.arrayBuffer())).toEqual(PNG_BYTES);

    const all = await restricted.files.list();
    expect(all.data.map((f) => f.id).sort()).toEqual([front, back, selfieId].sort());
    expect((await restricted.files.list({ purpose: 'selfie' })).data.map((f) => f.id)).toEqual([selfieId]);
    const walked: string[] = [];
    for await (const f of restricted.files.list({ limit: 1 })) walked.push(f.id);
    expect(walked).toEqual(all.data.map((f) => f.id));
    expect((await restricted.files.list({ created: { lt: file.created } })).data).toEqual([]);
    const purposeError = await failure(restricted.files.list({ purpose: 'dispute_evidence' }));
    expect(purposeError).toMatchObject({ statusCode: 400, param: 'purpose' });
    const missing = await failure(restricted.files.retrieve('file_nope'));
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing', message: "No such file: 'file_nope'" });
    // Another account's key finds nothing.
    const other = await newStripeAccount(service);
    expect(await failure(other.stripe.files.retrieve(front!))).toMatchObject({ statusCode: 404 });

    // Redaction makes every file and its contents unavailable at once.
    await restricted.identity.verificationSessions.redact(session.id);
    for (const id of [front!, back!, selfieId]) {
      expect(await failure(restricted.files.retrieve(id))).toMatchObject({ statusCode: 404, code: 'resource_missing' });
      expect((await contentsOf({ url: `${process.env.VERITY_PUBLIC_URL}/v1/files/${id}/contents` }, key)).status).toBe(404);
    }
    expect((await restricted.files.list()).data).toEqual([]);
  });
});
