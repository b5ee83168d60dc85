/**
 * Request parameters as Stripe clients send them: form bodies and query strings with bracket
 * nesting (`options[document][allowed_types][0]=passport`, `expand[]=x`), or JSON bodies.
 * The result is a tree of null-prototype objects, arrays and strings (JSON may add numbers and
 * booleans); endpoint schemas (schema.ts) decide what each part means.
 *
 * Every route reads its body and parameters through this module, so the limits below hold for
 * every encoding and every route, and each is checked before the work it bounds.
 */
import { invalidParameter } from '../domain/errors';

export type ParamTree = { [key: string]: ParamValue };
export type ParamValue = string | number | boolean | null | ParamValue[] | ParamTree;

/** The limits on one request, whatever its encoding (query string, form or JSON body) and route. */
export const REQUEST_LIMITS = {
  /**
   * Bytes of body a function reads (decoded from base64 when API Gateway encoded it). No route
   * takes images any more (the page uploads them to the file store, functions/store/files.ts);
   * the largest bodies are a business's metadata and options. API Gateway's own limit is 10 MB.
   */
  bodyBytes: 2 * 1024 * 1024,
  /**
   * Parameters in one request, query string and body together: each form or query pair is one;
   * in JSON each object member and each array item is one, at any depth.
   */
  params: 1000,
  /** Keys and indexes on the path to a value: `a[b][0]` (or its JSON equivalent) is 3. */
  depth: 8,
  /** Characters in one key: a name or bracket segment of a form key, or a JSON member name. */
  keyLength: 200,
} as const;

const { bodyBytes: MAX_BODY_BYTES, params: MAX_PARAMS, depth: MAX_DEPTH, keyLength: MAX_KEY_LENGTH } = REQUEST_LIMITS;

/** How many parameters a request has used so far, shared by its query string and its body. */
export interface ParamCount {
  used: number;
}

/** What this module reads of an API Gateway (payload 2.0) event. */
export interface RequestParts {
  rawQueryString?: string;
  body?: string;
  isBase64Encoded: boolean;
  headers: Record<string, string | undefined>;
  requestContext: { http: { method: string } };
}

const badEncoding = (message: string, param: string | null = null) => invalidParameter('parameter_invalid', message, param);

const tooMany = () => badEncoding(`A request can carry at most ${MAX_PARAMS} parameters.`);
const tooDeep = (param: string | null = null) => badEncoding(`Parameters can be nested at most ${MAX_DEPTH} levels deep.`, param);

export function newParamTree(): ParamTree {
  return Object.create(null) as ParamTree;
}

export function isParamTree(value: unknown): value is ParamTree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The request's body as text, '' when it has none. A body over `REQUEST_LIMITS.bodyBytes` is
 * refused (400 `parameter_invalid`) from its length alone, before it is decoded or read.
 */
export function requestBodyText(event: Pick<RequestParts, 'body' | 'isBase64Encoded'>): string {
  const { body } = event;
  if (!body) return '';
  // Base64's decoded size follows from its length; UTF-8 text has at least one byte per character.
  const bytes = event.isBase64Encoded
    ? Buffer.byteLength(body, 'base64')
    : body.length > MAX_BODY_BYTES
      ? body.length
      : Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_BODY_BYTES) {
    throw badEncoding(`The request body has ${bytes} bytes; a request can carry at most ${MAX_BODY_BYTES} (2 MiB).`);
  }
  return event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
}

/**
 * The query string and the body together, as Stripe reads them: a JSON body when the content
 * type says so, a form body otherwise (a GET's body is ignored). The limits hold for the whole.
 */
export function requestParams(event: RequestParts): ParamTree {
  const count: ParamCount = { used: 0 };
  const params = parseFormEncoded(event.rawQueryString ?? '', newParamTree(), count);
  if (event.requestContext.http.method === 'GET') return params;
  const body = requestBodyText(event);
  if (body === '') return params;
  if ((event.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
    return Object.assign(params, parseJsonBody(body, count));
  }
  return parseFormEncoded(body, params, count);
}

/** Parses `a=1&b[c]=2&d[]=3` into a tree, adding to `into` when given (query then body). */
export function parseFormEncoded(text: string, into: ParamTree = newParamTree(), count: ParamCount = { used: 0 }): ParamTree {
  // Pair by pair, so that a body of a million `&` neither builds a million strings nor is read past the limit.
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    // A pair without a name carries nothing (Rack, whose parsing Stripe's follows, drops it too).
    if (end > start) {
      if (++count.used > MAX_PARAMS) throw tooMany();
      const pair = text.slice(start, end);
      const eq = pair.indexOf('=');
      const key = decode(eq === -1 ? pair : pair.slice(0, eq));
      const value = eq === -1 ? '' : decode(pair.slice(eq + 1), key.slice(0, MAX_KEY_LENGTH));
      if (key !== '') assign(into, parseKey(key), value, key);
    }
    start = end + 1;
  }
  return into;
}

/**
 * Parses a JSON object body. Its members and items are counted, and its nesting measured, in
 * one pass over the text before `JSON.parse` builds anything, so an oversized body costs a scan.
 */
export function parseJsonBody(text: string, count: ParamCount = { used: 0 }): ParamTree {
  measureJson(text, count);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badEncoding('The request body is not valid JSON.');
  }
  if (!isParamTree(parsed)) throw badEncoding('A JSON request body must be an object.');
  return toParamTree(parsed);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
/** What each open container is: an object, an array with no item yet, an array with items. */
enum Open {
  Object,
  EmptyArray,
  Array,
}

/**
 * Counts a JSON text's object members and array items into `count` and checks their depth,
 * refusing as soon as a limit is passed. It does not validate the text (JSON.parse does): for
 * valid JSON the count and depth are exact; for anything else they are only what it scanned.
 */
function measureJson(text: string, count: ParamCount): void {
  const open: Open[] = [];
  const value = () => {
    if (++count.used > MAX_PARAMS) throw tooMany();
    // A member or item of the container at nesting n (the body itself is 1) is n keys deep.
    if (open.length > MAX_DEPTH) throw tooDeep();
  };
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char <= 0x20) continue;
    const top = open[open.length - 1];
    if (top === Open.EmptyArray && char !== CLOSE_ARRAY) {
      open[open.length - 1] = Open.Array;
      value();
    }
    switch (char) {
      case QUOTE:
        for (i++; i < text.length && text.charCodeAt(i) !== QUOTE; i++) if (text.charCodeAt(i) === BACKSLASH) i++;
        break;
      case COLON:
        if (top === Open.Object) value();
        break;
      case COMMA:
        if (top === Open.Array) value();
        break;
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        // Only invalid JSON opens a container deeper than its members may be; refuse it all the same.
        if (open.length > MAX_DEPTH) throw tooDeep();
        open.push(char === OPEN_OBJECT ? Open.Object : Open.EmptyArray);
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        open.pop();
        break;
    }
  }
}

/**
 * A JSON value (already measured) as a tree of null-prototype objects, read as its form
 * encoding would be: `null` is the empty value (`''`, which unsets), and every key and string
 * must be well-formed Unicode, as a form's percent-encoded UTF-8 can only be. Refuses long keys
 * and non-JSON values, naming the parameter (`metadata[a]`) where it can. `param` is the path so far.
 */
function toParamTree(value: object, param?: string): ParamTree {
  const tree = newParamTree();
  for (const [key, child] of Object.entries(value)) {
    const childParam = param === undefined ? key : `${param}[${key}]`;
    checkKeyLength(key, param ?? null);
    checkWellFormed(key, param ?? null);
    tree[key] = toParamValue(child, childParam);
  }
  return tree;
}

function toParamValue(value: unknown, param: string): ParamValue {
  if (Array.isArray(value)) return value.map((item, index) => toParamValue(item, `${param}[${index}]`));
  if (isParamTree(value)) return toParamTree(value, param);
  if (value === null) return '';
  if (typeof value === 'string') return checkWellFormed(value, param);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  throw badEncoding('Unsupported value in JSON body.', param);
}

declare global {
  interface String {
    /** ES2024, in Node 20: false when the string has a lone surrogate (`\ud800` without its pair). */
    isWellFormed(): boolean;
  }
}

/**
 * `text` when it is well-formed Unicode. A lone surrogate has no UTF-8 encoding, so a form body
 * cannot carry one (its bytes fail to decode); JSON's `\ud800` escape can, and is refused the same way.
 */
function checkWellFormed(text: string, param: string | null): string {
  if (!text.isWellFormed()) throw notEncoded(param);
  return text;
}

/** One answer for text no encoding can carry, form or JSON: a form's bad percent-escapes, a JSON string's lone surrogate. */
const notEncoded = (param: string | null) =>
  badEncoding(`The request is not correctly URL-encoded or is not well-formed UTF-8${param === null ? '' : ` (in ${param})`}.`, param);

function checkKeyLength(key: string, param: string | null = null): void {
  if (key.length > MAX_KEY_LENGTH) {
    throw badEncoding(`A parameter name can have at most ${MAX_KEY_LENGTH} characters; one has ${key.length}.`, param);
  }
}

/** A percent-encoded form key or value (`param`: the key a value belongs to); bytes that are not UTF-8 are refused. */
function decode(text: string, param: string | null = null): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw notEncoded(param);
  }
}

/** `a[b][]` → ['a', 'b', ''] (an empty segment appends to an array). */
function parseKey(key: string): string[] {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  const segments = match ? [match[1]!] : [key];
  if (match) for (const part of match[2]!.matchAll(/\[([^[\]]*)\]/g)) segments.push(part[1]!);
  if (segments.length > MAX_DEPTH) throw tooDeep(segments[0]!.slice(0, MAX_KEY_LENGTH));
  for (const segment of segments) checkKeyLength(segment);
  return segments;
}

function assign(tree: ParamTree, path: string[], value: string, rawKey: string): void {
  let node: ParamTree | ParamValue[] = tree;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    const last = i === path.length - 1;
    if (Array.isArray(node)) {
      if (segment !== '') throw conflicting(rawKey, path);
      if (last) {
        node.push(value);
        return;
      }
      const child: ParamTree = newParamTree();
      node.push(child);
      node = child;
      continue;
    }
    if (segment === '') throw conflicting(rawKey, path);
    if (last) {
      if (isParamTree(node[segment]) || Array.isArray(node[segment])) throw conflicting(rawKey, path);
      node[segment] = value;
      return;
    }
    const wantsArray = path[i + 1] === '';
    let child: ParamValue | undefined = node[segment];
    if (child === undefined) {
      child = wantsArray ? [] : newParamTree();
      node[segment] = child;
    }
    if (wantsArray ? !Array.isArray(child) : !isParamTree(child)) throw conflicting(rawKey, path);
    node = child as ParamTree | ParamValue[];
  }
}

const conflicting = (rawKey: string, path: string[]) =>
  badEncoding(`The parameter ${rawKey} conflicts with another parameter of the same name.`, path[0]!);
