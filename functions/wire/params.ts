/**
 * Request parameters as Stripe clients send them: form bodies and query strings with bracket
 * nesting (`options[document][allowed_types][0]=passport`, `expand[]=x`), or JSON bodies.
 * The result is a tree of null-prototype objects, arrays and strings (JSON may add numbers and
 * booleans); endpoint schemas (schema.ts) decide what each part means.
 */
import { invalidParameter } from '../domain/errors';

export type ParamTree = { [key: string]: ParamValue };
export type ParamValue = string | number | boolean | null | ParamValue[] | ParamTree;

const MAX_PARAMS = 1000;
const MAX_DEPTH = 8;

const badEncoding = (message: string, param: string | null = null) =>
  invalidParameter('parameter_invalid', message, param);

export function newParamTree(): ParamTree {
  return Object.create(null) as ParamTree;
}

export function isParamTree(value: unknown): value is ParamTree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses `a=1&b[c]=2&d[]=3` into a tree, adding to `into` when given (query then body). */
export function parseFormEncoded(text: string, into: ParamTree = newParamTree()): ParamTree {
  if (text === '') return into;
  const pairs = text.split('&').filter((pair) => pair !== '');
  if (pairs.length > MAX_PARAMS) throw badEncoding(`A request can carry at most ${MAX_PARAMS} parameters.`);
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    // A pair without a name carries nothing (Rack, whose parsing Stripe's follows, drops it too).
    if (key !== '') assign(into, parseKey(key), value, key);
  }
  return into;
}

export function parseJsonBody(text: string): ParamTree {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badEncoding('The request body is not valid JSON.');
  }
  if (!isParamTree(parsed)) throw badEncoding('A JSON request body must be an object.');
  return toParamTree(parsed, 0);
}

/** `depth` is the number of keys and indexes on the path to the value, as in a form key. */
function toParamTree(value: object, depth: number): ParamTree {
  const tree = newParamTree();
  for (const [key, child] of Object.entries(value)) tree[key] = toParamValue(child, depth + 1);
  return tree;
}

function toParamValue(value: unknown, depth: number): ParamValue {
  if (depth > MAX_DEPTH) throw badEncoding(`Parameters can be nested at most ${MAX_DEPTH} levels deep.`);
  if (Array.isArray(value)) return value.map((item) => toParamValue(item, depth + 1));
  if (isParamTree(value)) return toParamTree(value, depth);
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value as ParamValue;
  throw badEncoding('Unsupported value in JSON body.');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw badEncoding('The request is not correctly URL-encoded.');
  }
}

/** `a[b][]` → ['a', 'b', ''] (an empty segment appends to an array). */
function parseKey(key: string): string[] {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match) return [key];
  const segments = [match[1]!];
  for (const part of match[2]!.matchAll(/\[([^[\]]*)\]/g)) segments.push(part[1]!);
  if (segments.length > MAX_DEPTH) throw badEncoding(`Parameters can be nested at most ${MAX_DEPTH} levels deep.`, segments[0]!);
  return segments;
}

function assign(tree: ParamTree, path: string[], value: string, rawKey: string): void {
  let node: ParamTree | ParamValue[] = tree;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    const last = i === path.length - 1;
    if (Array.isArray(node)) {
      if (segment !== '') throw conflicting(rawKey);
      if (last) {
        node.push(value);
        return;
      }
      const child: ParamTree = newParamTree();
      node.push(child);
      node = child;
      continue;
    }
    if (segment === '') throw conflicting(rawKey);
    if (last) {
      if (isParamTree(node[segment]) || Array.isArray(node[segment])) throw conflicting(rawKey);
      node[segment] = value;
      return;
    }
    const wantsArray = path[i + 1] === '';
    let child: ParamValue | undefined = node[segment];
    if (child === undefined) {
      child = wantsArray ? [] : newParamTree();
      node[segment] = child;
    }
    if (wantsArray ? !Array.isArray(child) : !isParamTree(child)) throw conflicting(rawKey);
    node = child as ParamTree | ParamValue[];
  }
}

const conflicting = (rawKey: string) =>
  badEncoding(`The parameter ${rawKey} conflicts with another parameter of the same name.`, rawKey.replace(/\[.*$/, ''));
