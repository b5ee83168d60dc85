/**
 * Which step of the index migration (functions/store/schema.ts `indexMigration`,
 * docs/reference/index-migration.md) the app synthesizes, and what the table's indexes, the
 * functions' environment and their grants are at that step.
 */
import type { Construct } from 'constructs';
import { allIndexes, INDEX_READS_ENV, indexesAtStep, indexMigration } from '../functions/store/schema';

/**
 * The CDK context key that names the step of the index migration a deployment is at
 * (functions/store/schema.ts `indexMigration`, docs/reference/index-migration.md).
 */
export const INDEX_MIGRATION_STEP_CONTEXT = 'verity:indexMigrationStep';

/** The step of the index migration this app synthesizes: the context's, or the last when unset. */
export function indexMigrationStep(scope: Construct): number {
  const value = scope.node.tryGetContext(INDEX_MIGRATION_STEP_CONTEXT) as string | number | undefined;
  const step = value === undefined ? indexMigration.last : Number(value);
  indexesAtStep(step); // refuses a step out of range
  return step;
}

/**
 * What a function that reads the table's indexes needs at this step: before the read switch,
 * `INDEX_READS_ENV=previous` (reads use the indexes the lean ones replace).
 */
export function indexReadsEnvironment(scope: Construct): Record<string, string> {
  return indexesAtStep(indexMigrationStep(scope)).readsLean ? {} : { [INDEX_READS_ENV]: 'previous' };
}

/**
 * The ARNs of the indexes a function queries, as `names` (functions/routes.ts, the schema's
 * current names) read at this step: a lean index, or before the read switch the one it replaces.
 */
export function indexArns(scope: Construct, tableArn: string, names: string[]): string[] {
  const readsLean = indexesAtStep(indexMigrationStep(scope)).readsLean;
  const byName = new Map(allIndexes.map((index) => [index.name, index]));
  return names.map((name) => {
    const index = byName.get(name);
    const read = index && !readsLean ? (index.replaces ?? index.name) : name;
    return `${tableArn}/index/${read}`;
  });
}
