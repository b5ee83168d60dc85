/**
 * Declarative parameter schemas in Stripe's terms. Each endpoint declares what it accepts; a
 * request with anything else, or anything malformed, is rejected with the error Stripe gives,
 * naming the parameter as the client wrote it (`options[document][require_id_number]`).
 */
import { invalidParameter, missingParameter, quoted } from '../domain/errors';
import { isParamTree, type ParamTree, type ParamValue } from './params';

export type Validator<T> = (value: ParamValue, param: string) => T;
export type Shape = Record<string, Validator<unknown>>;
export type Infer<S extends Shape> = { [K in keyof S]?: S[K] extends Validator<infer T> ? T : never };

/** A refused value as an error names it: quoted, escaped, at most 100 characters. */
const describe = (value: ParamValue) => quoted(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));

export function string(options: { maxLength?: number } = {}): Validator<string> {
  const maxLength = options.maxLength ?? 5000;
  return (value, param) => {
    if (typeof value !== 'string') {
      throw invalidParameter('parameter_invalid', `Invalid ${param}: must be a string.`, param);
    }
    if (value.length > maxLength) {
      throw invalidParameter('parameter_invalid', `Invalid ${param}: must be at most ${maxLength} characters long.`, param);
    }
    return value;
  };
}

/** A string that cannot be empty: Stripe reads an empty value as an attempt to unset. */
export function requiredString(options: { maxLength?: number } = {}): Validator<string> {
  const inner = string(options);
  return (value, param) => {
    if (value === '') throw cannotBeUnset(param);
    return inner(value, param);
  };
}

export function oneOf<const T extends string>(allowed: readonly T[]): Validator<T> {
  return (value, param) => {
    if (value === '') throw cannotBeUnset(param);
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      throw invalidParameter('parameter_invalid', `Invalid ${param}: must be one of ${allowed.join(', ')}.`, param);
    }
    return value as T;
  };
}

/**
 * `true` or `false` in any letter case, or a JSON boolean, as Stripe's API reads them: Stripe's
 * .NET library sends `True`/`False` (stripe/stripe-dotnet
 * src/Stripe.net/Infrastructure/FormEncoding/FormEncoder.cs:141-145, `string.Format("{0}", bool)`)
 * and so did its Python library before 12.0.1, Debian's python3-stripe 5.0.0 included (urlencode's
 * `str(True)`); Ruby, PHP, Go, Java and newer Python send lower case. Nothing else is a boolean
 * (`1`, `yes`, `on` are refused); an empty value cannot unset one.
 */
export function boolean(): Validator<boolean> {
  return (value, param) => {
    if (typeof value === 'boolean') return value;
    const word = typeof value === 'string' ? value.toLowerCase() : undefined;
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (value === '') throw cannotBeUnset(param);
    throw invalidParameter('parameter_invalid', `Invalid boolean: ${describe(value)}`, param);
  };
}

export function integer(options: { min?: number; max?: number } = {}): Validator<number> {
  return (value, param) => {
    if (value === '') throw cannotBeUnset(param);
    const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number)) {
      throw invalidParameter('parameter_invalid_integer', `Invalid integer: ${describe(value)}`, param);
    }
    if ((options.min !== undefined && number < options.min) || (options.max !== undefined && number > options.max)) {
      const range =
        options.max === undefined
          ? `at least ${options.min}`
          : options.min === undefined
            ? `at most ${options.max}`
            : `between ${options.min} and ${options.max}`;
      throw invalidParameter('parameter_invalid_integer', `Invalid ${param}: must be ${range}.`, param);
    }
    return number;
  };
}

/** Arrays arrive as `x[]=a&x[]=b`, `x[0]=a&x[1]=b` (an object with index keys) or a JSON array. */
export function array<T>(item: Validator<T>, options: { maxItems?: number } = {}): Validator<T[]> {
  return (value, param) => {
    let items: ParamValue[];
    if (Array.isArray(value)) items = value;
    else if (isParamTree(value)) items = indexedItems(value, param);
    else if (value === '') items = [];
    else throw invalidParameter('parameter_invalid', `Invalid array: ${param} must be a list of values.`, param);
    if (options.maxItems !== undefined && items.length > options.maxItems) {
      throw invalidParameter('parameter_invalid', `Invalid ${param}: at most ${options.maxItems} values are allowed.`, param);
    }
    return items.map((entry, index) => item(entry, `${param}[${index}]`));
  };
}

function indexedItems(tree: ParamTree, param: string): ParamValue[] {
  const keys = Object.keys(tree);
  keys.forEach((key, index) => {
    if (key !== String(index)) {
      throw invalidParameter(
        'parameter_invalid',
        `If passing an array with explicit keys (e.g. ${param}[0]=a&${param}[1]=b) instead of as an array ` +
          `(e.g. ${param}[]=a&${param}[]=b), ` +
          `the keys must be numeric and sequential starting from 0. You passed the keys \`${keys.join(', ')}\`.`,
        param,
      );
    }
  });
  return keys.map((key) => tree[key]!);
}

export function object<S extends Shape>(shape: S): Validator<Infer<S>> {
  return (value, param) => {
    if (!isParamTree(value)) {
      throw invalidParameter('parameter_invalid', `Invalid ${param}: must be an object.`, param);
    }
    return readShape(shape, value, (key) => `${param}[${key}]`);
  };
}

/** Stripe's Emptyable: the object, or `''` to unset it. */
export function emptyable<T>(inner: Validator<T>): Validator<T | ''> {
  return (value, param) => (value === '' ? '' : inner(value, param));
}

/**
 * Metadata: string keys to string values, or `''` to clear (a JSON `null` arrives as `''`). A
 * value must be a string, in JSON too, like every string parameter: a number or boolean is not
 * converted. Limits are domain rules (domain/metadata.ts).
 */
export function metadata(): Validator<Record<string, string> | ''> {
  return (value, param) => {
    if (value === '') return '';
    if (!isParamTree(value)) {
      throw invalidParameter('parameter_invalid', 'Invalid metadata: must be an object of string keys and string values.', param);
    }
    const out: Record<string, string> = {};
    for (const [key, entry] of Object.entries(value)) {
      const entryParam = `${param}[${key}]`;
      if (typeof entry !== 'string') {
        throw invalidParameter('parameter_invalid', `Invalid ${entryParam}: metadata values must be strings.`, entryParam);
      }
      Object.defineProperty(out, key, { value: entry, enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
}

export function required<T>(inner: Validator<T>): Validator<T> & { required: true } {
  return Object.assign((value: ParamValue, param: string) => inner(value, param), { required: true as const });
}

/** Validates the top level of a request: unknown parameters are refused, each known one checked. */
export function readParams<S extends Shape>(shape: S, params: ParamTree): Infer<S> {
  return readShape(shape, params, (key) => key);
}

function readShape<S extends Shape>(shape: S, tree: ParamTree, name: (key: string) => string): Infer<S> {
  for (const key of Object.keys(tree)) {
    if (!Object.hasOwn(shape, key)) {
      throw invalidParameter('parameter_unknown', `Received unknown parameter: ${name(key)}`, name(key));
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, validate] of Object.entries(shape)) {
    const value = tree[key];
    if (value === undefined) {
      if ((validate as { required?: boolean }).required) throw missingParameter(name(key));
      continue;
    }
    out[key] = validate(value, name(key));
  }
  return out as Infer<S>;
}

function cannotBeUnset(param: string) {
  return invalidParameter(
    'parameter_invalid_empty',
    `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; ` +
      `however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
    param,
  );
}

export function email(): Validator<string> {
  const inner = string({ maxLength: 800 });
  return (value, param) => {
    const text = inner(value, param);
    // Deliberately loose: one @, something on each side, a dot in the domain. The value is not echoed (PII).
    if (text !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) {
      throw invalidParameter('email_invalid', `Invalid ${param}: not a valid email address.`, param);
    }
    return text;
  };
}

export function phone(): Validator<string> {
  const inner = string({ maxLength: 40 });
  return (value, param) => {
    const text = inner(value, param);
    const digits = text.replace(/\D/g, '').length;
    if (text !== '' && (!/^\+?[0-9 ().-]+$/.test(text) || digits < 4 || digits > 15)) {
      throw invalidParameter(
        'parameter_invalid',
        `Invalid ${param}: a phone number has 4 to 15 digits, optionally a leading +, spaces, dots, dashes and parentheses.`,
        param,
      );
    }
    return text;
  };
}

/**
 * An absolute http or https URL, at most 5000 characters as sent and as normalized, returned
 * normalized: the WHATWG URL serialization (`new URL(x).href`: scheme and host lowercased,
 * spaces and non-ASCII percent-encoded, `/` for an empty path), which is what a browser would
 * follow and is always safe in a `Location` header. A control character (U+0000–U+001F, U+007F)
 * anywhere is refused rather than silently dropped, so a line break cannot hide in a URL.
 * Errors: `url_invalid`; `parameter_invalid` when too long.
 */
export function url(): Validator<string> {
  const inner = string({ maxLength: 5000 });
  return (value, param) => {
    const text = inner(value, param);
    if (text === '') return text;
    let parsed: URL | undefined;
    try {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: URL() strips control characters a URL may not hold; refuse them.
      parsed = /[\u0000-\u001f\u007f]/.test(text) ? undefined : new URL(text);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
      throw invalidParameter('url_invalid', `Invalid ${param}: must be an absolute http or https URL, without control characters.`, param);
    }
    return inner(parsed.href, param);
  };
}
