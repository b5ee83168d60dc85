import { describe, expect, it } from 'vitest';
import type { VerityError } from '../../../functions/domain/errors';
import { parseFormEncoded, parseJsonBody, type ParamValue } from '../../../functions/wire/params';
import {
  array,
  boolean,
  email,
  emptyable,
  integer,
  metadata,
  object,
  oneOf,
  phone,
  readParams,
  required,
  requiredString,
  string,
  url,
  type Validator,
} from '../../../functions/wire/schema';
import { thrown } from '../../support/thrown';

/** Asserts that `validate(value, param)` fails with this code and param. */
function expectInvalid<T>(validate: Validator<T>, value: ParamValue, param: string, code: string): VerityError {
  const error = thrown(() => validate(value, param));
  expect(error.kind).toBe('invalid_parameter');
  expect(error.code).toBe(code);
  expect(error.param).toBe(param);
  return error;
}

/** A schema shaped like the create endpoint's, to exercise nesting with real parameter names. */
const documentOptions = object({
  allowed_types: array(oneOf(['driving_license', 'id_card', 'passport'] as const), { maxItems: 3 }),
  require_id_number: boolean(),
  require_matching_selfie: boolean(),
});
const createShape = {
  type: required(oneOf(['document', 'id_number'] as const)),
  options: emptyable(object({ document: emptyable(documentOptions) })),
  metadata: metadata(),
  provided_details: object({ email: email(), phone: phone() }),
  return_url: url(),
  expand: array(string()),
};

describe('readParams', () => {
  it('reads the parameters the SDK sends into typed values', () => {
    const params = readParams(
      createShape,
      parseFormEncoded(
        'type=document&options[document][allowed_types][0]=passport&options[document][allowed_types][1]=id_card' +
          '&options[document][require_matching_selfie]=true&metadata[user_id]=u%201&metadata[remove_me]=' +
          '&expand[0]=verified_outputs&provided_details[email]=a%2Bb%40example.com',
      ),
    );
    expect(params).toEqual({
      type: 'document',
      options: { document: { allowed_types: ['passport', 'id_card'], require_matching_selfie: true } },
      metadata: { user_id: 'u 1', remove_me: '' },
      expand: ['verified_outputs'],
      provided_details: { email: 'a+b@example.com' },
    });
  });

  it('leaves parameters that were not sent out of the result', () => {
    const params = readParams(createShape, parseFormEncoded('type=id_number'));
    expect(params).toEqual({ type: 'id_number' });
    expect(Object.keys(params)).toEqual(['type']);
  });

  it('accepts a JSON body as well', () => {
    const params = readParams(
      createShape,
      parseJsonBody('{"type":"document","options":{"document":{"require_id_number":false}},"expand":["provided_details"]}'),
    );
    expect(params).toEqual({ type: 'document', options: { document: { require_id_number: false } }, expand: ['provided_details'] });
  });

  it('refuses an unknown top-level parameter with parameter_unknown, naming it', () => {
    const error = thrown(() => readParams(createShape, parseFormEncoded('type=document&colour=red')));
    expect(error.kind).toBe('invalid_parameter');
    expect(error.code).toBe('parameter_unknown');
    expect(error.param).toBe('colour');
    expect(error.message).toBe('Received unknown parameter: colour');
  });

  it('names a nested unknown parameter as the client wrote it', () => {
    const error = thrown(() => readParams(createShape, parseFormEncoded('type=document&options[document][foo]=1')));
    expect(error.code).toBe('parameter_unknown');
    expect(error.param).toBe('options[document][foo]');
    expect(error.message).toBe('Received unknown parameter: options[document][foo]');
  });

  it('names an unknown parameter one level down', () => {
    const error = thrown(() => readParams(createShape, parseFormEncoded('type=document&options[email][require_verification]=true')));
    expect(error.code).toBe('parameter_unknown');
    expect(error.param).toBe('options[email]');
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('treats %s as an unknown parameter', (name) => {
    const error = thrown(() => readParams(createShape, parseFormEncoded(`type=document&${name}=x`)));
    expect(error.code).toBe('parameter_unknown');
    expect(error.param).toBe(name);
  });

  it('refuses a request without a required parameter with parameter_missing', () => {
    const error = thrown(() => readParams(createShape, parseFormEncoded('metadata[a]=1')));
    expect(error.kind).toBe('invalid_parameter');
    expect(error.code).toBe('parameter_missing');
    expect(error.param).toBe('type');
    expect(error.message).toBe('Missing required param: type.');
  });

  it('names a missing nested required parameter with its full path', () => {
    const shape = { related_person: object({ account: required(string()), person: required(string()) }) };
    const error = thrown(() => readParams(shape, parseFormEncoded('related_person[account]=acct_1')));
    expect(error.code).toBe('parameter_missing');
    expect(error.param).toBe('related_person[person]');
  });

  it('validates values with their full parameter name', () => {
    const error = thrown(() => readParams(createShape, parseFormEncoded('type=document&options[document][require_id_number]=maybe')));
    expect(error.code).toBe('parameter_invalid');
    expect(error.param).toBe('options[document][require_id_number]');
  });

  it('names the offending array item', () => {
    const error = thrown(() =>
      readParams(
        createShape,
        parseFormEncoded('type=document&options[document][allowed_types][]=passport&options[document][allowed_types][]=visa'),
      ),
    );
    expect(error.code).toBe('parameter_invalid');
    expect(error.param).toBe('options[document][allowed_types][1]');
  });
});

describe('string / requiredString', () => {
  it('accepts strings up to the maximum length', () => {
    expect(string({ maxLength: 3 })('abc', 'p')).toBe('abc');
    expect(string()('x'.repeat(5000), 'p')).toHaveLength(5000);
    expect(string()('', 'p')).toBe('');
  });

  it('refuses longer strings', () => {
    expectInvalid(string({ maxLength: 3 }), 'abcd', 'p', 'parameter_invalid');
    expectInvalid(string(), 'x'.repeat(5001), 'client_reference_id', 'parameter_invalid');
  });

  it('refuses objects, arrays and JSON scalars', () => {
    expectInvalid(string(), parseFormEncoded('a[b]=1').a!, 'a', 'parameter_invalid');
    expectInvalid(string(), ['x'], 'a', 'parameter_invalid');
    expectInvalid(string(), 5, 'a', 'parameter_invalid');
    expectInvalid(string(), null, 'a', 'parameter_invalid');
  });

  it('requiredString refuses an empty value as an attempt to unset', () => {
    const error = expectInvalid(requiredString(), '', 'client_reference_id', 'parameter_invalid_empty');
    expect(error.message).toContain("'client_reference_id' cannot be unset");
    expect(requiredString()('x', 'p')).toBe('x');
  });
});

describe('oneOf', () => {
  const status = oneOf(['requires_input', 'processing'] as const);

  it('accepts an allowed value', () => {
    expect(status('processing', 'status')).toBe('processing');
  });

  it('refuses other values with parameter_invalid, listing the allowed ones', () => {
    const error = expectInvalid(status, 'verified', 'status', 'parameter_invalid');
    expect(error.message).toContain('requires_input, processing');
  });

  it('is case-sensitive', () => {
    expectInvalid(status, 'Processing', 'status', 'parameter_invalid');
  });

  it('refuses an empty value with parameter_invalid_empty', () => {
    expectInvalid(status, '', 'status', 'parameter_invalid_empty');
  });

  it('refuses non-strings', () => {
    expectInvalid(status, ['processing'], 'status', 'parameter_invalid');
    expectInvalid(status, 1, 'status', 'parameter_invalid');
  });
});

describe('boolean', () => {
  it.each([
    ['true', true],
    ['false', false],
    // Stripe.net and stripe-python before 12.0.1 send the words capitalized (README: Stripe's libraries in other languages).
    ['True', true],
    ['False', false],
    ['TRUE', true],
    ['fAlSe', false],
    [true, true],
    [false, false],
  ] as const)('reads %j as %s', (value, expected) => {
    expect(boolean()(value, 'b')).toBe(expected);
  });

  it.each(['yes', '1', '0', 'on', 'True ', 't', 'truefalse'])('refuses %j with parameter_invalid', (value) => {
    const error = expectInvalid(boolean(), value, 'options[document][require_id_number]', 'parameter_invalid');
    expect(error.message).toBe(`Invalid boolean: ${JSON.stringify(value)}`);
  });

  it('names a refused value escaped: no control or bidi character comes back raw', () => {
    expect(thrown(() => boolean()('false\u0000\u202e', 'b')).message).toBe('Invalid boolean: "false\\u0000\\u202e"');
    expect(thrown(() => boolean()('x'.repeat(500), 'b')).message).toBe(`Invalid boolean: "${'x'.repeat(100)}"`);
  });

  it('refuses numbers, null and objects', () => {
    expectInvalid(boolean(), 1, 'b', 'parameter_invalid');
    expectInvalid(boolean(), null, 'b', 'parameter_invalid');
    expectInvalid(boolean(), parseFormEncoded('b[x]=true').b!, 'b', 'parameter_invalid');
  });

  it('refuses an empty value with parameter_invalid_empty', () => {
    expectInvalid(boolean(), '', 'b', 'parameter_invalid_empty');
  });
});

describe('integer', () => {
  it('reads decimal strings and JSON integers', () => {
    expect(integer()('42', 'n')).toBe(42);
    expect(integer()('-7', 'n')).toBe(-7);
    expect(integer()('007', 'n')).toBe(7);
    expect(integer()(12, 'n')).toBe(12);
    expect(integer()('999999999999999', 'n')).toBe(999_999_999_999_999);
  });

  it.each(['1.5', '1e3', 'abc', ' 1', '+1', '0x10', '1234567890123456', 'NaN', 'Infinity'])(
    'refuses %j with parameter_invalid_integer',
    (value) => {
      expectInvalid(integer(), value, 'limit', 'parameter_invalid_integer');
    },
  );

  it('refuses non-integer and unsafe JSON numbers', () => {
    expectInvalid(integer(), 1.5, 'limit', 'parameter_invalid_integer');
    expectInvalid(integer(), 2 ** 53, 'limit', 'parameter_invalid_integer');
    expectInvalid(integer(), true, 'limit', 'parameter_invalid_integer');
  });

  it('reports the value it could not read', () => {
    expect(thrown(() => integer()('abc', 'limit')).message).toBe('Invalid integer: "abc"');
  });

  it('applies min and max inclusively', () => {
    const limit = integer({ min: 1, max: 100 });
    expect(limit('1', 'limit')).toBe(1);
    expect(limit('100', 'limit')).toBe(100);
    expect(expectInvalid(limit, '0', 'limit', 'parameter_invalid_integer').message).toContain('between 1 and 100');
    expectInvalid(limit, '101', 'limit', 'parameter_invalid_integer');
    expect(expectInvalid(integer({ min: 0 }), '-1', 'created', 'parameter_invalid_integer').message).toContain('at least 0');
    expect(expectInvalid(integer({ max: 5 }), '6', 'n', 'parameter_invalid_integer').message).toContain('at most 5');
  });

  it('refuses an empty value with parameter_invalid_empty', () => {
    expectInvalid(integer(), '', 'limit', 'parameter_invalid_empty');
  });
});

describe('array', () => {
  const list = array(string());

  it('accepts `[]` arrays and JSON arrays', () => {
    expect(list(parseFormEncoded('x[]=a&x[]=b').x!, 'x')).toEqual(['a', 'b']);
    expect(list(['a', 'b'], 'x')).toEqual(['a', 'b']);
  });

  it('turns sequential indexed keys into an array in index order', () => {
    expect(list(parseFormEncoded('x[0]=a&x[1]=b&x[2]=c').x!, 'x')).toEqual(['a', 'b', 'c']);
    expect(list(parseFormEncoded('x[1]=b&x[0]=a').x!, 'x')).toEqual(['a', 'b']);
    expect(list(parseJsonBody('{"x":{"0":"a","1":"b"}}').x!, 'x')).toEqual(['a', 'b']);
  });

  it('handles more than ten indexed items in numeric order', () => {
    const text = Array.from({ length: 12 }, (_, i) => `x[${i}]=v${i}`)
      .reverse()
      .join('&');
    expect(list(parseFormEncoded(text).x!, 'x')).toEqual(Array.from({ length: 12 }, (_, i) => `v${i}`));
  });

  it.each([
    ['x[1]=a', '1'],
    ['x[0]=a&x[2]=b', '0, 2'],
    ['x[a]=1', 'a'],
    ['x[00]=a', '00'],
    ['x[0]=a&x[foo]=b', '0, foo'],
  ])('refuses the indexed object %s: keys must be sequential from 0', (text, keys) => {
    const error = expectInvalid(list, parseFormEncoded(text).x!, 'expand', 'parameter_invalid');
    expect(error.message).toContain('numeric and sequential starting from 0');
    expect(error.message).toContain(`\`${keys}\``);
  });

  it('reads an empty value as an empty array', () => {
    expect(list('', 'x')).toEqual([]);
  });

  it('refuses a plain string', () => {
    expectInvalid(list, 'a', 'expand', 'parameter_invalid');
  });

  it('applies maxItems', () => {
    const three = array(string(), { maxItems: 3 });
    expect(three(['a', 'b', 'c'], 'x')).toHaveLength(3);
    expectInvalid(three, ['a', 'b', 'c', 'd'], 'x', 'parameter_invalid');
  });

  it('validates each item under its index', () => {
    const types = array(oneOf(['passport', 'id_card'] as const));
    expect(thrown(() => types(parseFormEncoded('t[0]=passport&t[1]=visa').t!, 't')).param).toBe('t[1]');
    const error = thrown(() => types(['passport', 'id_card', 'visa'], 'allowed_types'));
    expect(error.param).toBe('allowed_types[2]');
  });
});

describe('object', () => {
  const shape = object({ a: string(), b: boolean() });

  it('reads known keys', () => {
    expect(shape(parseFormEncoded('o[a]=x&o[b]=true').o!, 'o')).toEqual({ a: 'x', b: true });
  });

  it('refuses strings and arrays', () => {
    expectInvalid(shape, 'x', 'o', 'parameter_invalid');
    expectInvalid(shape, '', 'o', 'parameter_invalid');
    expectInvalid(shape, ['x'], 'o', 'parameter_invalid');
  });

  it('refuses unknown keys under their full name', () => {
    const error = thrown(() => shape(parseFormEncoded('o[c]=1').o!, 'outer[o]'));
    expect(error.code).toBe('parameter_unknown');
    expect(error.param).toBe('outer[o][c]');
  });
});

describe('emptyable', () => {
  const options = emptyable(object({ a: string() }));

  it('passes an empty value through as the unset marker', () => {
    expect(options('', 'options')).toBe('');
  });

  it('validates anything else with the inner validator', () => {
    expect(options(parseFormEncoded('o[a]=1').o!, 'options')).toEqual({ a: '1' });
    expectInvalid(options, 'x', 'options', 'parameter_invalid');
  });
});

describe('metadata', () => {
  const validate = metadata();

  it('reads string keys and values, including empty values that unset keys', () => {
    expect(validate(parseFormEncoded('m[a]=1&m[b]=').m!, 'metadata')).toEqual({ a: '1', b: '' });
  });

  it('reads an empty value as "clear all"', () => {
    expect(validate('', 'metadata')).toBe('');
  });

  it.each(['5', '12345678901234567890123', '1e999', '-0', 'true', 'false'])(
    'refuses the JSON value %s, which is not a string, naming the entry',
    (value) => {
      const error = thrown(() => validate(parseJsonBody(`{"m":{"n":${value}}}`).m!, 'metadata'));
      expect(error).toMatchObject({
        kind: 'invalid_parameter',
        code: 'parameter_invalid',
        param: 'metadata[n]',
        message: 'Invalid metadata[n]: metadata values must be strings.',
      });
    },
  );

  it('reads JSON null as the empty value: for one key it unsets the key, for the whole it clears', () => {
    expect(validate(parseJsonBody('{"m":{"n":null,"a":"1"}}').m!, 'metadata')).toEqual({ n: '', a: '1' });
    expect(validate(parseJsonBody('{"m":null}').m!, 'metadata')).toBe('');
  });

  it('refuses a non-object', () => {
    expectInvalid(validate, 'x', 'metadata', 'parameter_invalid');
    expectInvalid(validate, ['x'], 'metadata', 'parameter_invalid');
  });

  it('refuses nested values under the entry name', () => {
    const error = thrown(() => validate(parseFormEncoded('m[a][b]=1').m!, 'metadata'));
    expect(error.code).toBe('parameter_invalid');
    expect(error.param).toBe('metadata[a]');
    expect(thrown(() => validate(parseFormEncoded('m[list][]=1').m!, 'metadata')).param).toBe('metadata[list]');
    expect(thrown(() => validate(parseJsonBody('{"m":{"n":{"x":"1"}}}').m!, 'metadata')).param).toBe('metadata[n]');
  });

  it('keeps a `__proto__` key as data in an ordinary object', () => {
    const out = validate(parseFormEncoded('m[__proto__]=x&m[polluted]=y').m!, 'metadata') as Record<string, string>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'polluted']);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('x');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(out))).toEqual(JSON.parse('{"__proto__":"x","polluted":"y"}'));
  });
});

describe('email', () => {
  it.each(['a@example.com', 'a+b@example.com', 'first.last@sub.example.co.uk'])('accepts %s', (value) => {
    expect(email()(value, 'provided_details[email]')).toBe(value);
  });

  it('accepts an empty value (it clears the detail)', () => {
    expect(email()('', 'provided_details[email]')).toBe('');
  });

  it.each(['plain', 'a@b', '@example.com', 'a@', 'a b@example.com', 'a@@example.com', 'a@exa mple.com'])(
    'refuses %j with email_invalid',
    (value) => {
      const error = expectInvalid(email(), value, 'provided_details[email]', 'email_invalid');
      expect(error.message).not.toContain(value);
    },
  );

  it('refuses addresses longer than 800 characters', () => {
    expectInvalid(email(), `${'a'.repeat(800)}@example.com`, 'provided_details[email]', 'parameter_invalid');
  });

  it('refuses non-strings', () => {
    expectInvalid(email(), 5, 'provided_details[email]', 'parameter_invalid');
  });
});

describe('phone', () => {
  it.each(['5555551212', '+1 555 555 1212', '+1 (555) 555-1212', '555.555.1212', '1234', '+123456789012345'])('accepts %s', (value) => {
    expect(phone()(value, 'provided_details[phone]')).toBe(value);
  });

  it('accepts an empty value (it clears the detail)', () => {
    expect(phone()('', 'provided_details[phone]')).toBe('');
  });

  it.each(['123', '+1234567890123456', 'call me', '555-CALL-NOW', '1+2345', '++15555551212', '555_555_1212', '(  )'])(
    'refuses %j with parameter_invalid',
    (value) => {
      expectInvalid(phone(), value, 'provided_details[phone]', 'parameter_invalid');
    },
  );

  it('refuses values longer than 40 characters', () => {
    expectInvalid(phone(), `+1 ${' '.repeat(30)}555 555 1212`, 'provided_details[phone]', 'parameter_invalid');
  });
});

describe('url', () => {
  it.each(['https://example.com/done', 'http://localhost:3000/return?x=1#y'])('accepts %s', (value) => {
    expect(url()(value, 'return_url')).toBe(value);
  });

  it('accepts an empty value', () => {
    expect(url()('', 'return_url')).toBe('');
  });

  it.each(['example.com/done', '/relative', 'ftp://example.com', 'javascript:alert(1)', 'mailto:a@example.com', 'https://', 'not a url'])(
    'refuses %j with url_invalid',
    (value) => {
      expectInvalid(url(), value, 'return_url', 'url_invalid');
    },
  );

  it('refuses URLs longer than 5000 characters', () => {
    expectInvalid(url(), `https://example.com/${'a'.repeat(5000)}`, 'return_url', 'parameter_invalid');
  });

  it.each([
    ['HTTPS://Shop.Example.com', 'https://shop.example.com/'],
    ['https://shop.example.com/dönë?q=a b#c d', 'https://shop.example.com/d%C3%B6n%C3%AB?q=a%20b#c%20d'],
    ['https://bücher.example/', 'https://xn--bcher-kva.example/'],
    ['  https://shop.example.com/padded  ', 'https://shop.example.com/padded'],
  ])('returns %j normalized, as a browser would follow it: %j', (value, normalized) => {
    expect(url()(value, 'return_url')).toBe(normalized);
  });

  it.each([
    'https://shop.example.com/a\r\nSet-Cookie: x=1',
    'https://shop.example.com/\t',
    'https://shop.example.com/\u0000',
    'https://shop.example.com/\u007f',
    '\nhttps://shop.example.com/',
  ])('refuses %j, with a control character in it, with url_invalid', (value) => {
    expectInvalid(url(), value, 'return_url', 'url_invalid');
  });

  it('refuses a URL that normalizes to more than 5000 characters', () => {
    expectInvalid(url(), `https://example.com/${'ü'.repeat(1000)}`, 'return_url', 'parameter_invalid');
  });
});

describe('required', () => {
  it('marks a validator as required without changing what it accepts', () => {
    const validator = required(integer());
    expect(validator.required).toBe(true);
    expect(validator('3', 'n')).toBe(3);
    expectInvalid(validator, 'x', 'n', 'parameter_invalid_integer');
  });
});
