/**
 * Request bodies exactly as Stripe's official libraries in other languages form-encode them,
 * sent with a raw fetch to the local service: these libraries cannot run here, so each body is
 * what the cited encoder produces for the same call (the Python ones were produced by running the
 * cited `_api_encode`; the others follow the cited lines by hand, in the library's parameter order).
 * Sources are the libraries' public repositories (github.com/stripe/<repo>) at the commit named;
 * `path:line` points at the encoder line that decides each trait the bodies show:
 *
 * - booleans: `True`/`False` from stripe-python before 12.0.1 (Debian's python3-stripe 5.0.0
 *   included) and from Stripe.net; `true`/`false` from every other library.
 * - arrays: indexed `a[0]=…&a[1]=…` from all current libraries, `a[]=…` from stripe-ruby before 3.22.
 * - an empty list: nothing from Python, Ruby and PHP; `a=` (the empty value) from Go, Java, .NET.
 * - unsetting a metadata key: the empty value `metadata[k]=` from every library (Python and PHP
 *   from `''`, Ruby's `nil.to_s`, Go's map value `""`, Java's and .NET's `null`).
 * - integers: decimal digits (`limit=3`, `created[gte]=…`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { newStripeAccount, startService } from '../support/local-service';

let service: LocalRuntime;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.stop());

/** The requests one library makes for the same calls (see the flow in the test below). */
interface SdkBodies {
  /** Which library and version, and where its encoder is. */
  sdk: string;
  /** POST /v1/identity/verification_sessions */
  create: string;
  /** POST /v1/identity/verification_sessions/{id}: unsets metadata[note], sets the document options again. */
  update: string;
  /** `options.document.allowed_types` after `update`: what the library's list encoding meant. */
  allowedTypesAfterUpdate: string[];
  /** GET /v1/identity/verification_sessions?… */
  list: string;
  /** GET /v1/events?… */
  events: string;
  /** POST /v1/webhook_endpoints */
  webhookCreate: string;
  /** POST /v1/webhook_endpoints/{id}: disables it and unsets metadata[team]. */
  webhookUpdate: string;
}

/** The calls every row makes, in each library's terms:
 *   create(type: document, client_reference_id: order-1234, metadata: {order_id: '1234', note: 'first try'},
 *          options: {document: {allowed_types: [passport, driving_license], require_matching_selfie: true, require_live_capture: false}},
 *          provided_details: {email: jenny@example.com}, return_url: https://example.com/done, expand: [provided_details])
 *   update(metadata: {note: <unset>, tier: gold}, options: {document: {allowed_types: [id_card] or [], require_matching_selfie: false}})
 *   list(limit: 3, created: {gte: 1700000000}, expand: [data.provided_details])
 *   events list(limit: 10, types: [created, canceled], delivery_success: true)
 *   webhook endpoint create(url, enabled_events: [verified, canceled], description, metadata: {team: kyc}, connect: false)
 *   webhook endpoint update(disabled: true, metadata: {team: <unset>})
 */
const ROWS: SdkBodies[] = [
  {
    // Debian's python3-stripe 5.0.0, /usr/lib/python3/dist-packages/stripe/api_requestor.py:35-57 (`_api_encode`):
    // a bool is passed through (:57) and urlencode writes str(True) = 'True'; lists indexed `%s[%d]` (:49).
    // Bodies produced by running that function through urlencode, as its request() does (:313-318).
    sdk: 'stripe-python 5.0.0 (Debian python3-stripe)',
    create:
      'type=document&client_reference_id=order-1234&metadata[order_id]=1234&metadata[note]=first+try' +
      '&options[document][allowed_types][0]=passport&options[document][allowed_types][1]=driving_license' +
      '&options[document][require_matching_selfie]=True&options[document][require_live_capture]=False' +
      '&provided_details[email]=jenny%40example.com&return_url=https%3A%2F%2Fexample.com%2Fdone&expand[0]=provided_details',
    update:
      'metadata[note]=&metadata[tier]=gold&options[document][allowed_types][0]=id_card&options[document][require_matching_selfie]=False',
    allowedTypesAfterUpdate: ['id_card'],
    list: 'limit=3&created[gte]=1700000000&expand[0]=data.provided_details',
    events: 'limit=10&types[0]=identity.verification_session.created&types[1]=identity.verification_session.canceled&delivery_success=True',
    webhookCreate:
      'url=http%3A%2F%2Flocalhost%3A3000%2Fwebhook&enabled_events[0]=identity.verification_session.verified' +
      '&enabled_events[1]=identity.verification_session.canceled&description=KYC+hooks&metadata[team]=kyc&connect=False',
    webhookUpdate: 'disabled=True&metadata[team]=',
  },
  {
    // stripe/stripe-python v12.0.0 (and every release before 12.0.1), stripe/_encode.py:53-54: `yield (key, value)`
    // for a bool, which urlencode writes as 'True'/'False'; lists indexed at :40. Produced by running it.
    sdk: 'stripe-python 12.0.0',
    create:
      'type=document&client_reference_id=order-1234&metadata[order_id]=1234&metadata[note]=first+try' +
      '&options[document][allowed_types][0]=passport&options[document][allowed_types][1]=driving_license' +
      '&options[document][require_matching_selfie]=True&options[document][require_live_capture]=False' +
      '&provided_details[email]=jenny%40example.com&return_url=https%3A%2F%2Fexample.com%2Fdone&expand[0]=provided_details',
    update:
      'metadata[note]=&metadata[tier]=gold&options[document][allowed_types][0]=id_card&options[document][require_matching_selfie]=False',
    allowedTypesAfterUpdate: ['id_card'],
    list: 'limit=3&created[gte]=1700000000&expand[0]=data.provided_details',
    events: 'limit=10&types[0]=identity.verification_session.created&types[1]=identity.verification_session.canceled&delivery_success=True',
    webhookCreate:
      'url=http%3A%2F%2Flocalhost%3A3000%2Fwebhook&enabled_events[0]=identity.verification_session.verified' +
      '&enabled_events[1]=identity.verification_session.canceled&description=KYC+hooks&metadata[team]=kyc&connect=False',
    webhookUpdate: 'disabled=True&metadata[team]=',
  },
  {
    // stripe/stripe-python 15.3.1 (6c6e373), stripe/_encode.py:182-183: `str(value).lower()` for a bool
    // (since 12.0.1, #1499); lists indexed at :163. Produced by running it.
    sdk: 'stripe-python 15.3.1',
    create:
      'type=document&client_reference_id=order-1234&metadata[order_id]=1234&metadata[note]=first+try' +
      '&options[document][allowed_types][0]=passport&options[document][allowed_types][1]=driving_license' +
      '&options[document][require_matching_selfie]=true&options[document][require_live_capture]=false' +
      '&provided_details[email]=jenny%40example.com&return_url=https%3A%2F%2Fexample.com%2Fdone&expand[0]=provided_details',
    update:
      'metadata[note]=&metadata[tier]=gold&options[document][allowed_types][0]=id_card&options[document][require_matching_selfie]=false',
    allowedTypesAfterUpdate: ['id_card'],
    list: 'limit=3&created[gte]=1700000000&expand[0]=data.provided_details',
    events: 'limit=10&types[0]=identity.verification_session.created&types[1]=identity.verification_session.canceled&delivery_success=true',
    webhookCreate:
      'url=http%3A%2F%2Flocalhost%3A3000%2Fwebhook&enabled_events[0]=identity.verification_session.verified' +
      '&enabled_events[1]=identity.verification_session.canceled&description=KYC+hooks&metadata[team]=kyc&connect=false',
    webhookUpdate: 'disabled=true&metadata[team]=',
  },
  {
    // stripe/stripe-ruby 19.5.0 (51a1809), lib/stripe/util.rb:238-241 (`"#{url_encode(k)}=#{url_encode(v)}"`:
    // true.to_s is 'true', nil.to_s is '' so `note: nil` unsets), :254-271 nested hashes, :281-282 indexed arrays.
    sdk: 'stripe-ruby 19.5.0',
    create:
      'type=document&client_reference_id=order-1234&metadata[order_id]=1234&metadata[note]=first+try' +
      '&options[document][allowed_types][0]=passport&options[document][allowed_types][1]=driving_license' +
      '&options[document][require_matching_selfie]=true&options[document][require_live_capture]=false' +
      '&provided_details[email]=jenny%40example.com&return_url=https%3A%2F%2Fexample.com%2Fdone&expand[0]=provided_details',
    update:
      'metadata[note]=&metadata[tier]=gold&options[document][allowed_types][0]=id_card&options[document][require_matching_selfie]=false',
    allowedTypesAfterUpdate: ['id_card'],
    list: 'limit=3&created[gte]=1700000000&expand[0]=data.provided_details',
    events: 'limit=10&types[0]=identity.verification_session.created&types[1]=identity.verification_session.canceled&delivery_success=true',
    webhookCreate:
      'url=http%3A%2F%2Flocalhost%3A3000%2Fwebhook&enabled_events[0]=identity.verification_session.verified' +
      '&enabled_events[1]=identity.verification_session.canceled&description=KYC+hooks&metadata[team]=kyc&connect=false',
    webhookUpdate: 'disabled=true&metadata[team]=',
  },
  {
    // stripe/stripe-ruby v3.0.0, lib/stripe/util.rb:183: `result << ["#{calculated_key}[]", elem]`, unindexed
    // arrays (indexed from 3.22.0, c1ff8bd "Integer-index encode all arrays").
    sdk: 'stripe-ruby before 3.22',
    create:
      'type=document&client_reference_id=order-1234&metadata[order_id]=1234&metadata[note]=first+try' +
      '&options[document][allowed_types][]=passport&options[document][allowed_types][]=driving_license' +
      '&options[document][require_matching_selfie]=true&options[document][require_live_capture]=false' +
      '&provided_details[email]=jenny%40example.com&return_url=https%3A%2F%2Fexample.com%2Fdone&expand[]=provided_details',
    update:
      'metadata[note]=&metadata[tier]=gold&options[document][allowed_types][]=id_card&options[document][require_matching_selfie]=false',
    allowedTypesAfterUpdate: ['id_card'],
    list: 'limit=3&created[gte]=1700000000&expand[]=data.provided_details',
    events: 'limit=10&types[]=identity.verification_session.created&types[]=identity.verification_session.canceled&delivery_success=true',
    webhookCreate:
      'url=http%3A%2F%2Flocalhost%3A3000%2Fwebhook&enabled_events[]=identity.verification_session.verified' +
      '&enabled_events[]=identity.verification_session.canceled&description=KYC+hooks&metadata[team]=kyc&connect=false',
    webhookUpdate: 'disabled=true&metadata[team]=',
  },
  {
    // stripe/stripe-php 21.0.0 (0498d20), lib/ApiRequestor.php:100-105 (`_encodeObjects`: true → 'true',
    // false → 'false'), lib/Util/Util.php:213-223 and :232-291 (nested keys, lists indexed at :286;
    // an empty PHP array is a list with no items, so nothing). Unsetting is `'note' => ''`.
    sdk: 'stripe-php 21.0.0',
    create:
      'type=document&client_reference_id=order-1234&metadata[order_id]=1234&metadata[note]=first+try' +
      '&options[document][allowed_types][0]=passport&options[document][allowed_types][1]=driving_license' +
      '&options[document][require_matching_selfie]=true&options[document][require_live_capture]=false' +
      '&provided_details[email]=jenny%40example.com&return_url=https%3A%2F%2Fexample.com%2Fdone&expand[0]=provided_details',
    update:
      'metadata[note]=&metadata[tier]=gold&options[document][allowed_types][0]=id_card&options[document][require_matching_selfie]=false',
    allowedTypesAfterUpdate: ['id_card'],
    list: 'limit=3&created[gte]=1700000000&expand[0]=data.provided_details',
    events: 'limit=10&types[0]=identity.verification_session.created&types[1]=identity.verification_session.canceled&delivery_success=true',
    webhookCreate:
      'url=http%3A%2F%2Flocalhost%3A3000%2Fwebhook&enabled_events[0]=identity.verification_session.verified' +
      '&enabled_events[1]=identity.verification_session.canceled&description=KYC+hooks&metadata[team]=kyc&connect=false',
    webhookUpdate: 'disabled=true&metadata[team]=',
  },
  {
    // stripe/stripe-go 86.2.0 (a1e3932), form/form.go: :168 strconv.FormatBool; :185-187 a non-nil empty
    // slice is `key=`; :193-194 indexed arrays; :330 FormatInt; :366-372 map keys sorted, "" encoded.
    // Fields in struct order (identity_verificationsession.go:331ff, alphabetical).
    sdk: 'stripe-go 86.2.0',
    create:
      'client_reference_id=order-1234&expand[0]=provided_details&metadata[note]=first+try&metadata[order_id]=1234' +
      '&options[document][allowed_types][0]=passport&options[document][allowed_types][1]=driving_license' +
      '&options[document][require_live_capture]=false&options[document][require_matching_selfie]=true' +
      '&provided_details[email]=jenny%40example.com&return_url=https%3A%2F%2Fexample.com%2Fdone&type=document',
    update: 'metadata[note]=&metadata[tier]=gold&options[document][allowed_types]=&options[document][require_matching_selfie]=false',
    allowedTypesAfterUpdate: [],
    list: 'limit=3&created[gte]=1700000000&expand[0]=data.provided_details',
    events: 'limit=10&delivery_success=true&types[0]=identity.verification_session.created&types[1]=identity.verification_session.canceled',
    webhookCreate:
      'connect=false&description=KYC+hooks&enabled_events[0]=identity.verification_session.verified' +
      '&enabled_events[1]=identity.verification_session.canceled&metadata[team]=kyc&url=http%3A%2F%2Flocalhost%3A3000%2Fwebhook',
    webhookUpdate: 'disabled=true&metadata[team]=',
  },
  {
    // stripe/stripe-java (0de1374), src/main/java/com/stripe/net/FormEncoder.java: :131-132 null → '';
    // :161 value.toString() (Boolean → 'true', Long → '3'); :211-216 indexed `%s[%d]`; :218-223 an empty
    // collection is `key=`. Params become a HashMap first (ApiRequestParamsConverter), so the order is the map's.
    sdk: 'stripe-java',
    create:
      'metadata[note]=first+try&metadata[order_id]=1234&options[document][require_matching_selfie]=true' +
      '&options[document][allowed_types][0]=passport&options[document][allowed_types][1]=driving_license' +
      '&options[document][require_live_capture]=false&expand[0]=provided_details&provided_details[email]=jenny%40example.com' +
      '&type=document&return_url=https%3A%2F%2Fexample.com%2Fdone&client_reference_id=order-1234',
    update: 'metadata[note]=&metadata[tier]=gold&options[document][require_matching_selfie]=false&options[document][allowed_types]=',
    allowedTypesAfterUpdate: [],
    list: 'expand[0]=data.provided_details&created[gte]=1700000000&limit=3',
    events: 'types[0]=identity.verification_session.created&types[1]=identity.verification_session.canceled&delivery_success=true&limit=10',
    webhookCreate:
      'metadata[team]=kyc&connect=false&description=KYC+hooks&enabled_events[0]=identity.verification_session.verified' +
      '&enabled_events[1]=identity.verification_session.canceled&url=http%3A%2F%2Flocalhost%3A3000%2Fwebhook',
    webhookUpdate: 'metadata[team]=&disabled=true',
  },
  {
    // stripe/stripe-dotnet 52.2.0 (d330362), src/Stripe.net/Infrastructure/FormEncoding/FormEncoder.cs:
    // :141-145 `string.Format(CultureInfo.InvariantCulture, "{0}", value)`, so a bool is 'True'/'False'
    // (asserted by src/StripeTests/Infrastructure/FormEncoding/FormEncoderTest.cs:168-183); :99-100 null → '';
    // :284-290 indexed lists; :292-298 an empty list is `key=`. Properties in declaration order, Expand (BaseOptions) last.
    sdk: 'Stripe.net 52.2.0',
    create:
      'client_reference_id=order-1234&metadata[order_id]=1234&metadata[note]=first+try&options[document][allowed_types][0]=passport' +
      '&options[document][allowed_types][1]=driving_license&options[document][require_live_capture]=False' +
      '&options[document][require_matching_selfie]=True&provided_details[email]=jenny%40example.com' +
      '&return_url=https%3A%2F%2Fexample.com%2Fdone&type=document&expand[0]=provided_details',
    update: 'metadata[note]=&metadata[tier]=gold&options[document][allowed_types]=&options[document][require_matching_selfie]=False',
    allowedTypesAfterUpdate: [],
    list: 'created[gte]=1700000000&limit=3&expand[0]=data.provided_details',
    events: 'delivery_success=True&types[0]=identity.verification_session.created&types[1]=identity.verification_session.canceled&limit=10',
    webhookCreate:
      'connect=False&description=KYC+hooks&enabled_events[0]=identity.verification_session.verified' +
      '&enabled_events[1]=identity.verification_session.canceled&metadata[team]=kyc&url=http%3A%2F%2Flocalhost%3A3000%2Fwebhook',
    webhookUpdate: 'disabled=True&metadata[team]=',
  },
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON bodies, checked by the assertions
type Json = Record<string, any>;

/** One request as the library sends it: GET parameters in the query string, POST ones as a form body. */
async function send(secretKey: string, method: 'GET' | 'POST', path: string, form = ''): Promise<Json> {
  const response = await fetch(`${service.url}${path}${method === 'GET' && form ? `?${form}` : ''}`, {
    method,
    headers: {
      authorization: `Bearer ${secretKey}`,
      ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    body: method === 'POST' ? form : undefined,
  });
  const body = (await response.json()) as Json;
  expect(response.status, `${method} ${path} ${form} → ${JSON.stringify(body)}`).toBe(200);
  return body;
}

describe('request bodies as the other official Stripe libraries encode them', () => {
  it.each(ROWS)('$sdk: session create, update, list, cancel, events, webhook endpoint create and update', async (row) => {
    const { secretKey } = await newStripeAccount(service);
    const sessions = '/v1/identity/verification_sessions';

    const created = await send(secretKey, 'POST', sessions, row.create);
    expect(created).toMatchObject({
      type: 'document',
      status: 'requires_input',
      client_reference_id: 'order-1234',
      metadata: { order_id: '1234', note: 'first try' },
      provided_details: { email: 'jenny@example.com' },
    });
    expect(created.options).toEqual({
      document: { allowed_types: ['passport', 'driving_license'], require_live_capture: false, require_matching_selfie: true },
    });

    const updated = await send(secretKey, 'POST', `${sessions}/${created.id}`, row.update);
    expect(updated.metadata).toEqual({ order_id: '1234', tier: 'gold' });
    expect(updated.options).toEqual({ document: { allowed_types: row.allowedTypesAfterUpdate, require_matching_selfie: false } });

    const listed = await send(secretKey, 'GET', sessions, row.list);
    expect(listed.data.map((session: Json) => [session.id, session.provided_details])).toEqual([
      [created.id, { email: 'jenny@example.com', phone: null }],
    ]);

    // Every library sends a call without parameters as an empty body.
    expect(await send(secretKey, 'POST', `${sessions}/${created.id}/cancel`, '')).toMatchObject({ status: 'canceled' });

    const events = await send(secretKey, 'GET', '/v1/events', row.events);
    expect(events.data.map((event: Json) => [event.type, event.data.object.id])).toEqual([
      ['identity.verification_session.canceled', created.id],
      ['identity.verification_session.created', created.id],
    ]);

    const endpoint = await send(secretKey, 'POST', '/v1/webhook_endpoints', row.webhookCreate);
    expect(endpoint).toMatchObject({
      url: 'http://localhost:3000/webhook',
      enabled_events: ['identity.verification_session.verified', 'identity.verification_session.canceled'],
      description: 'KYC hooks',
      metadata: { team: 'kyc' },
      status: 'enabled',
    });
    expect(await send(secretKey, 'POST', `/v1/webhook_endpoints/${endpoint.id}`, row.webhookUpdate)).toMatchObject({
      status: 'disabled',
      metadata: {},
    });
  });

  it("stripe-go's UnsetFields: `options[document]=` clears the document options", async () => {
    // stripe/stripe-go 86.2.0, stripe.go:564-575: each UnsetFields entry (identity_verificationsession.go:
    // IdentityVerificationSessionOptionsParamsUnsetFieldDocument) is added as `FormatKey(path)=""`.
    const { secretKey } = await newStripeAccount(service);
    const created = await send(
      secretKey,
      'POST',
      '/v1/identity/verification_sessions',
      'options[document][require_matching_selfie]=true&type=document',
    );
    const updated = await send(secretKey, 'POST', `/v1/identity/verification_sessions/${created.id}`, 'options[document]=');
    expect(updated.options).toEqual({});
  });
});
