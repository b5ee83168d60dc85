/**
 * Malformed input for every route, generated: bodies that are not form or JSON, deep nesting,
 * huge values, wrong types, unknown and duplicated parameters, invalid UTF-8, oversized metadata,
 * bad ids, bad and missing keys, bad expand[], wildcard patterns of many stars, bodies past the
 * parameter and size limits, and every name a JavaScript object has as a key. Shared by the
 * bounded run in `npm test` and the long one in `npm run fuzz`.
 */
import fc from 'fast-check';
import { routes } from '../../functions/routes';

const PARAM_NAMES = [
  'type',
  'last_error',
  'verification_session',
  'document_type',
  'document_front',
  'test_case',
  'id_number',
  'delay',
  'consent',
  'metadata',
  'options',
  'expand',
  'limit',
  'created',
  'status',
  'client_reference_id',
  'provided_details',
  'related_person',
  'return_url',
  'starting_after',
  'ending_before',
  'types',
  'x',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  '__defineGetter__',
  'isPrototypeOf',
];

const bracketKey = fc
  .tuple(
    fc.constantFrom(...PARAM_NAMES),
    fc.array(fc.oneof(fc.constant(''), fc.constantFrom(...PARAM_NAMES), fc.nat(20).map(String), fc.string({ maxLength: 8 })), {
      maxLength: 12,
    }),
  )
  .map(([name, path]) => name + path.map((segment) => `[${segment}]`).join(''));

const value = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    '',
    'true',
    'false',
    'document',
    'id_number',
    'passport',
    '-1',
    '0',
    '101',
    '9'.repeat(30),
    'vs_000000000000000000000000',
    '%',
    '%E0%A4%A',
    '%FF%FE',
  ),
  fc.string({ minLength: 4990, maxLength: 5100 }),
  fc.integer().map(String),
  // Wildcard patterns a backtracking matcher takes exponential time over (issue 19, fault 1).
  fc.tuple(fc.integer({ min: 8, max: 300 }), fc.constantFrom('X', 'e', '.', '')).map(([stars, tail]) => `${'*'.repeat(stars)}${tail}`),
);

const formBody = fc
  .array(fc.tuple(bracketKey, value), { maxLength: 30 })
  .map((pairs) => pairs.map(([k, v]) => `${k}=${/^%/.test(v) ? v : encodeURIComponent(v)}`).join('&'));

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 20 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...PARAM_NAMES), tie('value'), { maxKeys: 5 }),
  ),
})).value;

const body = fc.oneof(
  formBody.map((text) => ({ contentType: 'application/x-www-form-urlencoded', body: Buffer.from(text) })),
  jsonValue.map((json) => ({ contentType: 'application/json', body: Buffer.from(JSON.stringify(json)) })),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ contentType: 'application/x-www-form-urlencoded', body: Buffer.from(bytes) })),
  fc
    .constantFrom('{"type":', '[1,2]', 'null', 'a[b]=1&a=2', `x${'[y]'.repeat(200)}=1`, `${'a=1&'.repeat(2000)}`)
    .map((text) => ({ contentType: 'application/json', body: Buffer.from(text) })),
  fc.constant({ contentType: 'text/plain', body: Buffer.from('type=document') }),
  // Bodies past the parameter and size limits, in both encodings (issue 19, fault 2).
  fc.integer({ min: 1001, max: 200_000 }).map((keys) => ({
    contentType: 'application/json',
    body: Buffer.from(`{"metadata":{${Array.from({ length: keys }, (_, i) => `"k${i}":"v"`).join(',')}}}`),
  })),
  fc.integer({ min: 1001, max: 200_000 }).map((pairs) => ({
    contentType: 'application/x-www-form-urlencoded',
    body: Buffer.from(Array.from({ length: pairs }, (_, i) => `metadata[k${i}]=v`).join('&')),
  })),
);

const pathId = fc.oneof(
  fc.constant('vs_000000000000000000000000'),
  fc.constant('evt_000000000000000000000000'),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.constant('%E0%A4%A'),
  fc.string({ minLength: 3000, maxLength: 3000 }).map(() => 'v'.repeat(3000)),
);

export type Authorization = 'valid' | 'missing' | 'garbage' | 'other-mode';

export const fuzzRequest = fc.record({
  route: fc.constantFrom(...routes.filter((route) => route.routeKey !== '$default')),
  id: pathId,
  query: formBody,
  body,
  authorization: fc.constantFrom<Authorization>('valid', 'valid', 'valid', 'missing', 'garbage', 'other-mode'),
});
