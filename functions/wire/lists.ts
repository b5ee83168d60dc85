/** Stripe's list conventions: parameters, the `created` filter and the list envelope. */
import { invalidParameter } from '../domain/errors';
import { isParamTree } from './params';
import { integer, string, type Validator } from './schema';

export interface CreatedRange {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

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

export function assertOneCursor(params: { starting_after?: string; ending_before?: string }): void {
  if (params.starting_after !== undefined && params.ending_before !== undefined) {
    throw invalidParameter(
      'parameters_exclusive',
      'You may only specify one of these parameters: starting_after, ending_before.',
      'ending_before',
    );
  }
}

export function listEnvelope<T>(url: string, data: T[], hasMore: boolean) {
  return { object: 'list' as const, data, has_more: hasMore, url };
}
