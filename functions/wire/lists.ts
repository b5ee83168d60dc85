/** Stripe's list conventions: parameters, the `created` filter and the list envelope. */
import { expandParam } from './expand';
import { isObjectId } from '../domain/ids';
import { invalidParameter } from '../domain/errors';
import { isParamTree } from './params';
import { integer, string, type Validator } from './schema';
import type { CreatedRange } from '../store/list-page';

export const listLimit = () => integer({ min: 1, max: 100 });
export const cursor = () => string({ maxLength: 5000 });

/** `created=123` or `created[gte]=123&created[lt]=456`. */
export function createdRange(): Validator<CreatedRange> {
  const timestamp = integer({ min: 0 });
  return (value, param) => {
    if (!isParamTree(value)) {
      const exact = timestamp(value, param);
      return { gte: exact, lte: exact };
    }
    const range: CreatedRange = {};
    for (const [key, bound] of Object.entries(value)) {
      if (key !== 'gt' && key !== 'gte' && key !== 'lt' && key !== 'lte') {
        throw invalidParameter('parameter_unknown', `Received unknown parameter: ${param}[${key}]`, `${param}[${key}]`);
      }
      range[key] = timestamp(bound, `${param}[${key}]`);
    }
    return range;
  };
}

/**
 * At most one cursor, and a cursor that is an id of the listed objects (`prefix`, named
 * `objectName` in errors): anything else cannot be a position in the list.
 */
export function checkCursors(params: { starting_after?: string; ending_before?: string }, prefix: string, objectName: string): void {
  if (params.starting_after !== undefined && params.ending_before !== undefined) {
    throw invalidParameter(
      'parameters_exclusive',
      'You may only specify one of these parameters: starting_after, ending_before.',
      'ending_before',
    );
  }
  for (const param of ['starting_after', 'ending_before'] as const) {
    const id = params[param];
    if (id !== undefined && !isObjectId(prefix, id)) throw invalidParameter('resource_missing', `No such ${objectName}: '${id}'`, param);
  }
}

/** The parameters every list takes: a page size, a cursor either way, a `created` range, `expand[]`. */
export const pageParams = () => ({
  limit: listLimit(),
  starting_after: cursor(),
  ending_before: cursor(),
  created: createdRange(),
  expand: expandParam(),
});

/** The page those parameters ask for, as the store reads it (10 items unless `limit` says otherwise). */
export const pageQuery = (params: { limit?: number; starting_after?: string; ending_before?: string; created?: CreatedRange }) => ({
  limit: params.limit ?? 10,
  startingAfter: params.starting_after,
  endingBefore: params.ending_before,
  created: params.created,
});

export function listEnvelope<T>(url: string, data: T[], hasMore: boolean) {
  return { object: 'list' as const, data, has_more: hasMore, url };
}
