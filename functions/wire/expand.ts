import { invalidParameter } from '../domain/errors';
import { array, string, type Validator } from './schema';

const MAX_DEPTH = 4;

export const expandParam = (): Validator<string[]> => array(string({ maxLength: 5000 }), { maxItems: 50 });

/**
 * Checks `expand[]` against what an object offers and returns the paths to expand.
 * On lists every path must start with `data.`, as on Stripe.
 */
export function resolveExpand(
  requested: string[] | undefined,
  expandable: readonly string[],
  options: { list?: boolean } = {},
): Set<string> {
  const paths = new Set<string>();
  for (const raw of requested ?? []) {
    let path = raw;
    if (options.list) {
      if (!path.startsWith('data.')) throw cannotExpand(raw);
      path = path.slice('data.'.length);
    }
    if (path.split('.').length > MAX_DEPTH) {
      throw invalidParameter('parameter_invalid', `You cannot expand more than ${MAX_DEPTH} levels of a property (${raw}).`, 'expand');
    }
    if (!expandable.includes(path)) throw cannotExpand(raw);
    paths.add(path);
    // Expanding a nested path expands its parents, as on Stripe.
    for (let i = path.indexOf('.'); i !== -1; i = path.indexOf('.', i + 1)) paths.add(path.slice(0, i));
  }
  return paths;
}

const cannotExpand = (path: string) => invalidParameter('parameter_invalid', `This property cannot be expanded (${path}).`, 'expand');
