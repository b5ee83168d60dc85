import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  isParamTree,
  newParamTree,
  parseFormEncoded,
  parseJsonBody,
  REQUEST_LIMITS,
  requestBodyText,
  requestParams,
  type ParamTree,
} from '../../../functions/wire/params';
import { thrown } from '../../support/thrown';

/** Runs `fn` and returns the VerityError it throws (fails the test if it throws anything else or nothing). */

/** The form body the official SDK sends for `params`, captured from its HTTP client without any network. */
async function sdkFormBody(params: Stripe.Identity.VerificationSessionCreateParams): Promise<string> {
  let body: string | undefined;
  const fetchFn = (async (_url: unknown, init: { body?: unknown }) => {
    body = String(init.body);
    return new Response(JSON.stringify({ id: 'vs_x', object: 'identity.verification_session' }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  }) as unknown as typeof fetch;
  const stripe = new Stripe('sk_test_unit', { httpClient: Stripe.createFetchHttpClient(fetchFn), maxNetworkRetries: 0 });
  await stripe.identity.verificationSessions.create(params);
  if (body === undefined) throw new Error('the SDK sent no body');
  return body;
}

/** A form key with `n` segments (`k0[k1]…[kn-1]`) and the equivalent JSON object. */
function nested(n: number): { form: string; json: string } {
  const keys = Array.from({ length: n }, (_, i) => `k${i}`);
  const form = `${keys[0]}${keys
    .slice(1)
    .map((key) => `[${key}]`)
    .join('')}=v`;
  let json: unknown = 'v';
  for (const key of [...keys].reverse()) json = { [key]: json };
  return { form, json: JSON.stringify(json) };
}

describe('parseFormEncoded', () => {
  it('returns an empty tree for an empty string', () => {
    const tree = parseFormEncoded('');
    expect(Object.keys(tree)).toEqual([]);
  });

  it('parses flat pairs', () => {
    expect(parseFormEncoded('type=document&client_reference_id=user_42')).toEqual({
      type: 'document',
      client_reference_id: 'user_42',
    });
  });

  it('nests bracketed keys into objects', () => {
    const tree = parseFormEncoded(
      'options[document][require_matching_selfie]=true&options[document][require_id_number]=false&metadata[a]=1',
    );
    expect(tree).toEqual({
      options: { document: { require_matching_selfie: 'true', require_id_number: 'false' } },
      metadata: { a: '1' },
    });
  });

  it('builds arrays from `[]` keys, in order', () => {
    expect(parseFormEncoded('expand[]=verified_outputs&expand[]=provided_details&expand[]=verified_outputs.dob')).toEqual({
      expand: ['verified_outputs', 'provided_details', 'verified_outputs.dob'],
    });
  });

  it('builds arrays of objects from `[][key]`', () => {
    const tree = parseFormEncoded('items[][a]=1&items[][b]=2');
    expect(Array.isArray(tree.items)).toBe(true);
    expect(tree.items).toEqual([{ a: '1' }, { b: '2' }]);
  });

  it('keeps indexed `[0]` keys as an object with index keys (the schema turns them into arrays)', () => {
    const tree = parseFormEncoded('expand[0]=verified_outputs&expand[1]=provided_details');
    expect(Array.isArray(tree.expand)).toBe(false);
    expect(isParamTree(tree.expand)).toBe(true);
    expect(tree.expand).toEqual({ 0: 'verified_outputs', 1: 'provided_details' });
  });

  it('decodes `+` as a space and percent escapes, in keys and values', () => {
    expect(parseFormEncoded('metadata[full+name]=Jenny+Rosen&metadata[e]=a%2Bb%40example.com&metadata[u]=%C3%A9t%C3%A9')).toEqual({
      metadata: { 'full name': 'Jenny Rosen', e: 'a+b@example.com', u: 'été' },
    });
  });

  it('accepts percent-encoded brackets (which the SDK may send) as nesting', () => {
    expect(parseFormEncoded('options%5Bdocument%5D%5Ballowed_types%5D%5B%5D=passport')).toEqual({
      options: { document: { allowed_types: ['passport'] } },
    });
  });

  it('keeps `=` inside a value', () => {
    expect(parseFormEncoded('client_reference_id=a=b=c')).toEqual({ client_reference_id: 'a=b=c' });
  });

  it('reads a key with an empty value, or with no `=` at all, as an empty string', () => {
    expect(parseFormEncoded('metadata=&options[document]=&flag')).toEqual({
      metadata: '',
      options: { document: '' },
      flag: '',
    });
  });

  it('ignores empty pairs from stray `&`', () => {
    expect(parseFormEncoded('&a=1&&b=2&')).toEqual({ a: '1', b: '2' });
  });

  it('lets a later plain value replace an earlier one', () => {
    expect(parseFormEncoded('type=document&type=id_number')).toEqual({ type: 'id_number' });
  });

  it('adds to the tree it is given (query string, then body)', () => {
    const into = parseFormEncoded('expand[]=verified_outputs&type=document');
    const result = parseFormEncoded('expand[]=provided_details&metadata[a]=1', into);
    expect(result).toBe(into);
    expect(result).toEqual({ expand: ['verified_outputs', 'provided_details'], type: 'document', metadata: { a: '1' } });
  });

  it('builds null-prototype objects', () => {
    const tree = parseFormEncoded('a[b]=1');
    expect(Object.getPrototypeOf(tree)).toBeNull();
    expect(Object.getPrototypeOf(tree.a)).toBeNull();
    expect(Object.getPrototypeOf(newParamTree())).toBeNull();
  });

  describe('conflicting keys', () => {
    it.each([
      ['a=1&a[b]=2', 'a'],
      ['a[b]=2&a=1', 'a'],
      ['a[]=1&a[b]=2', 'a'],
      ['a[b]=1&a[]=2', 'a'],
      ['a[]=1&a=2', 'a'],
      ['metadata[k]=1&metadata[k][x]=2', 'metadata'],
      ['options[document][allowed_types][]=passport&options[document][allowed_types][0]=id_card', 'options'],
    ])('refuses %s as invalid_parameter', (text, param) => {
      const error = thrown(() => parseFormEncoded(text));
      expect(error.kind).toBe('invalid_parameter');
      expect(error.code).toBe('parameter_invalid');
      expect(error.param).toBe(param);
      expect(error.message).toContain('conflicts');
    });

    it('refuses a query parameter that a body parameter contradicts', () => {
      const into = parseFormEncoded('metadata=x');
      expect(thrown(() => parseFormEncoded('metadata[a]=1', into)).kind).toBe('invalid_parameter');
    });
  });

  describe('malformed input', () => {
    it.each(['a=%', 'a=%E0%A4%A', 'a=%zz', '%ZZ=1', 'metadata[%E0]=x'])('refuses the malformed percent encoding %s', (text) => {
      const error = thrown(() => parseFormEncoded(text));
      expect(error.kind).toBe('invalid_parameter');
      expect(error.code).toBe('parameter_invalid');
      expect(error.message).toMatch(/URL-encoded/);
    });

    it('names the parameter whose value is not URL-encoded UTF-8', () => {
      expect(thrown(() => parseFormEncoded('type=document&metadata[a]=%ED%A0%80'))).toMatchObject({
        code: 'parameter_invalid',
        param: 'metadata[a]',
      });
    });

    it('accepts nesting up to 8 segments and refuses 9', () => {
      expect(parseFormEncoded(nested(8).form)).toEqual(JSON.parse(nested(8).json));
      const error = thrown(() => parseFormEncoded(nested(9).form));
      expect(error.kind).toBe('invalid_parameter');
      expect(error.param).toBe('k0');
      expect(error.message).toMatch(/nested/);
    });

    it('counts `[]` segments towards the depth limit', () => {
      expect(parseFormEncoded('a[b][c][d][e][f][g][]=1')).toEqual({ a: { b: { c: { d: { e: { f: { g: ['1'] } } } } } } });
      expect(thrown(() => parseFormEncoded('a[b][c][d][e][f][g][h][]=1')).message).toMatch(/nested/);
    });

    it('accepts 1000 parameters and refuses 1001', () => {
      const pairs = (n: number) => Array.from({ length: n }, (_, i) => `p${i}=${i}`).join('&');
      expect(Object.keys(parseFormEncoded(pairs(1000)))).toHaveLength(1000);
      expect(thrown(() => parseFormEncoded(pairs(1001))).kind).toBe('invalid_parameter');
    });
  });

  describe('prototype pollution', () => {
    it.each([
      '__proto__[polluted]=yes',
      '__proto__[]=yes',
      'metadata[__proto__][polluted]=yes',
      'constructor[prototype][polluted]=yes',
      '__proto__=yes',
      'a[__proto__]=yes&a[polluted]=no',
    ])('does not pollute Object.prototype with %s', (text) => {
      const tree = parseFormEncoded(text);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.keys(tree).length).toBeGreaterThan(0);
    });

    it('keeps `__proto__` as an ordinary key', () => {
      const tree = parseFormEncoded('__proto__[x]=1&metadata[__proto__]=2');
      expect(Object.keys(tree)).toEqual(['__proto__', 'metadata']);
      expect(Object.keys(tree.__proto__ as ParamTree)).toEqual(['x']);
      expect((tree.__proto__ as ParamTree).x).toBe('1');
      expect((tree.metadata as ParamTree).__proto__).toBe('2');
    });
  });

  describe('what the stripe SDK (v23) sends', () => {
    const SDK_BODY =
      'type=document&options[document][allowed_types][0]=passport&options[document][allowed_types][1]=id_card' +
      '&options[document][require_matching_selfie]=true&metadata[user_id]=u%201&metadata[remove_me]=' +
      '&expand[0]=verified_outputs&provided_details[email]=a%2Bb%40example.com';
    const EXPECTED = {
      type: 'document',
      options: { document: { allowed_types: { 0: 'passport', 1: 'id_card' }, require_matching_selfie: 'true' } },
      metadata: { user_id: 'u 1', remove_me: '' },
      expand: { 0: 'verified_outputs' },
      provided_details: { email: 'a+b@example.com' },
    };

    it('parses the documented encoding of a create request', () => {
      expect(parseFormEncoded(SDK_BODY)).toEqual(EXPECTED);
    });

    it('parses exactly the body the SDK produces for the same call', async () => {
      const body = await sdkFormBody({
        type: 'document',
        options: { document: { allowed_types: ['passport', 'id_card'], require_matching_selfie: true } },
        metadata: { user_id: 'u 1', remove_me: '' },
        expand: ['verified_outputs'],
        provided_details: { email: 'a+b@example.com' },
      });
      expect(body).toBe(SDK_BODY);
      expect(parseFormEncoded(body)).toEqual(EXPECTED);
    });

    it('round-trips characters the SDK percent-encodes', async () => {
      const value = "it's (almost) *free*! 100% + more & less = [ok] ✓";
      const body = await sdkFormBody({ type: 'document', metadata: { note: value } });
      expect(parseFormEncoded(body)).toEqual({ type: 'document', metadata: { note: value } });
    });
  });
});

describe('parseJsonBody', () => {
  it('parses an object into a null-prototype tree, keeping numbers and booleans, with null as the empty value', () => {
    const tree = parseJsonBody(
      '{"type":"document","options":{"document":{"require_matching_selfie":true,"allowed_types":["passport"]}},"limit":3,"x":null}',
    );
    expect(tree).toEqual({
      type: 'document',
      options: { document: { require_matching_selfie: true, allowed_types: ['passport'] } },
      limit: 3,
      x: '',
    });
    expect(Object.getPrototypeOf(tree)).toBeNull();
    expect(Object.getPrototypeOf(tree.options)).toBeNull();
  });

  it.each([
    ['{"client_reference_id":"\\ud800x"}', 'client_reference_id'],
    ['{"related_customer":"cus_\\udfff"}', 'related_customer'],
    ['{"provided_details":{"email":"a\\ud800@b.co"}}', 'provided_details[email]'],
    ['{"expand":["x","\\udc00"]}', 'expand[1]'],
    ['{"metadata":{"a":"\\ud83d"}}', 'metadata[a]'],
    ['{"metadata":{"\\ud800":"x"}}', 'metadata'],
    ['{"\\udfff":"x"}', null],
  ])('refuses a lone surrogate in %s as a form body refuses bytes that are not UTF-8, naming %s', (text, param) => {
    const error = thrown(() => parseJsonBody(text));
    const formError = thrown(() => parseFormEncoded('metadata[a]=%ED%A0%80'));
    expect(error).toMatchObject({ kind: formError.kind, code: formError.code, param });
    expect(error.message).toMatch(/not correctly URL-encoded or is not well-formed UTF-8/);
    // A surrogate pair and U+FFFD are well-formed.
    expect(parseJsonBody('{"a":"\\ud83d\\ude00","\\ufffdx":"\\ufffd"}')).toEqual({ a: '\u{1F600}', '\ufffdx': '\ufffd' });
  });

  it.each(['[]', '[{"a":1}]', 'null', '1', '"text"', 'true'])('refuses the non-object body %s', (text) => {
    const error = thrown(() => parseJsonBody(text));
    expect(error.kind).toBe('invalid_parameter');
    expect(error.code).toBe('parameter_invalid');
    expect(error.message).toMatch(/must be an object/);
  });

  it.each(['', '{', '{"a":1,}', "{'a':1}", 'type=document'])('refuses the invalid JSON %j', (text) => {
    const error = thrown(() => parseJsonBody(text));
    expect(error.kind).toBe('invalid_parameter');
    expect(error.message).toMatch(/not valid JSON/);
  });

  it('keeps a `__proto__` key as data without polluting prototypes', () => {
    const tree = parseJsonBody('{"__proto__":{"polluted":"yes"},"metadata":{"__proto__":"x"}}');
    expect(Object.keys(tree)).toEqual(['__proto__', 'metadata']);
    expect((tree.__proto__ as ParamTree).polluted).toBe('yes');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(tree.metadata as ParamTree)).toEqual(['__proto__']);
  });

  it('refuses objects nested too deeply', () => {
    expect(thrown(() => parseJsonBody(nested(12).json)).kind).toBe('invalid_parameter');
  });

  it('accepts exactly the nesting depths that the form encoding accepts', () => {
    for (let n = 1; n <= 12; n++) {
      const { form, json } = nested(n);
      let formAccepted = true;
      let jsonAccepted = true;
      try {
        parseFormEncoded(form);
      } catch {
        formAccepted = false;
      }
      try {
        parseJsonBody(json);
      } catch {
        jsonAccepted = false;
      }
      expect({ segments: n, accepted: jsonAccepted }).toEqual({ segments: n, accepted: formAccepted });
    }
  });

  it('refuses arrays nested too deeply, as invalid_parameter', () => {
    const text = `{"expand":${'['.repeat(20)}${']'.repeat(20)}}`;
    expect(thrown(() => parseJsonBody(text)).kind).toBe('invalid_parameter');
  });

  it('answers a pathologically deep array with invalid_parameter, not a stack overflow', () => {
    const depth = 200_000;
    const text = `{"expand":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expect(thrown(() => parseJsonBody(text)).kind).toBe('invalid_parameter');
  });
});

describe('the limits every encoding shares (issue 19, fault 2)', () => {
  const members = (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":"v"`).join(',')}}`;
  const event = (parts: { query?: string; body?: string; json?: boolean; base64?: boolean; method?: string }) => ({
    rawQueryString: parts.query ?? '',
    body: parts.body === undefined ? undefined : parts.base64 ? Buffer.from(parts.body).toString('base64') : parts.body,
    isBase64Encoded: parts.base64 ?? false,
    headers: { 'content-type': parts.json ? 'application/json' : 'application/x-www-form-urlencoded' },
    requestContext: { http: { method: parts.method ?? 'POST' } },
  });

  it('counts JSON members and array items at every depth: 1000 pass, 1001 do not', () => {
    expect(Object.keys(parseJsonBody(members(1000)))).toHaveLength(1000);
    expect(thrown(() => parseJsonBody(members(1001))).message).toMatch(/at most 1000 parameters/);
    const items = (n: number) => `{"expand":[${Array.from({ length: n }, () => '"x"').join(',')}]}`;
    expect(parseJsonBody(items(999)).expand).toHaveLength(999);
    expect(thrown(() => parseJsonBody(items(1000))).message).toMatch(/at most 1000 parameters/);
    // Nested members count too: 1 + 500 + 500.
    expect(thrown(() => parseJsonBody(`{"a":{${members(500).slice(1, -1)},"b":${members(500)}}}`)).message).toMatch(/parameters/);
  });

  it('counts only structure: colons, commas and brackets inside strings are data', () => {
    const tricky = '"a:b,c[d]{e}\\"f:g,"';
    expect(parseJsonBody(`{"k":${tricky},"l":[${tricky},[]],"m":{}}`)).toEqual({
      k: 'a:b,c[d]{e}"f:g,',
      l: ['a:b,c[d]{e}"f:g,', []],
      m: {},
    });
    expect(() => parseJsonBody(`{"k":"${':,'.repeat(10_000)}"}`)).not.toThrow();
  });

  it('refuses a huge JSON object before building it, with the parameter error', () => {
    expect(thrown(() => parseJsonBody(members(700_000))).message).toMatch(/at most 1000 parameters/);
  });

  it('counts the query string and the body together, in both encodings', () => {
    const pairs = (n: number, name: string) => Array.from({ length: n }, (_, i) => `${name}${i}=v`).join('&');
    expect(Object.keys(requestParams(event({ query: pairs(500, 'q'), body: pairs(500, 'b') })))).toHaveLength(1000);
    expect(thrown(() => requestParams(event({ query: pairs(500, 'q'), body: pairs(501, 'b') }))).message).toMatch(/1000 parameters/);
    expect(thrown(() => requestParams(event({ query: pairs(500, 'q'), body: members(501), json: true }))).message).toMatch(
      /1000 parameters/,
    );
    // A GET's body is not read at all.
    expect(Object.keys(requestParams(event({ query: pairs(10, 'q'), body: members(5000), json: true, method: 'GET' })))).toHaveLength(10);
  });

  it('does not count empty pairs, however many', () => {
    expect(requestParams(event({ body: `${'&'.repeat(100_000)}a=1` }))).toEqual({ a: '1' });
  });

  it('refuses keys over 200 characters in every encoding', () => {
    const key = 'k'.repeat(201);
    expect(Object.keys(parseFormEncoded(`${'k'.repeat(200)}=v`))).toHaveLength(1);
    expect(thrown(() => parseFormEncoded(`${key}=v`)).message).toMatch(/at most 200 characters/);
    expect(thrown(() => parseFormEncoded(`metadata[${key}]=v`)).message).toMatch(/at most 200 characters/);
    expect(thrown(() => parseJsonBody(`{"metadata":{"${key}":"v"}}`)).message).toMatch(/at most 200 characters/);
  });

  it('refuses a body over 2 MiB from its length, text or base64, and reads one at the limit', () => {
    const limit = REQUEST_LIMITS.bodyBytes;
    expect(requestBodyText({ body: 'a'.repeat(limit), isBase64Encoded: false })).toHaveLength(limit);
    expect(requestBodyText({ body: Buffer.alloc(limit, 'a').toString('base64'), isBase64Encoded: true })).toHaveLength(limit);
    for (const encoded of [false, true]) {
      const body = encoded ? Buffer.alloc(limit + 1, 'a').toString('base64') : 'a'.repeat(limit + 1);
      expect(thrown(() => requestBodyText({ body, isBase64Encoded: encoded })).message).toMatch(/at most 2097152/);
    }
    // Bytes, not characters: 'é' is two bytes in UTF-8.
    expect(thrown(() => requestBodyText({ body: 'é'.repeat(limit / 2 + 1), isBase64Encoded: false })).kind).toBe('invalid_parameter');
  });
});
