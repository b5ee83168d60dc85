import { dynamo } from '../../functions/store/client';

/** Counts the DynamoDB operations the store sends while `run` runs, by command name (`UpdateItemCommand`…), with an SDK middleware. */
export async function countCalls<T>(run: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
  const calls: string[] = [];
  const name = `count-${Math.random()}`;
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(context.commandName as string);
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    return { result: await run(), calls };
  } finally {
    dynamo().middlewareStack.remove(name);
  }
}
