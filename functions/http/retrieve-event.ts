import { resourceMissing } from '../domain/errors';
import { getEvent } from '../store/events';
import { expandParam, resolveExpand } from '../wire/expand';
import { isObjectId } from '../domain/ids';
import { stripeEndpoint } from './endpoint';

export const handler = stripeEndpoint({ expand: expandParam() }, async ({ params, scope, pathId }) => {
  resolveExpand(params.expand, []);
  const event = pathId && isObjectId('evt', pathId) ? await getEvent(scope, pathId) : undefined;
  if (!event) throw resourceMissing('event', pathId ?? '');
  return event;
});
