import { dynamo } from '../../functions/store/client';

/**
 * Counts the DynamoDB operations the store sends while `run` runs, by command name
 * (`UpdateItemCommand`…), and the items its queries read (`ScannedCount`, filtered out or not),
 * with an SDK middleware.
 */
export async function countCalls<T>(run: () => Promise<T>): Promise<{ result: T; calls: string[]; itemsRead: number }> {
  const calls: string[] = [];
  let itemsRead = 0;
  const name = `count-${Math.random()}`;
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(context.commandName as string);
      const result = await next(args);
      itemsRead += (result.output as { ScannedCount?: number }).ScannedCount ?? 0;
      return result;
    },
    { step: 'initialize', name },
  );
  try {
    const result = await run();
    return { result, calls, itemsRead };
  } finally {
    dynamo().middlewareStack.remove(name);
  }
}
