import { invalidParameter } from '../domain/errors';
import { eventTypesMatching } from '../domain/event-types';
import { SESSION_EVENT_TYPES } from '../domain/events';
import { listEvents, listUndeliveredEvents } from '../store/events';
import { resolveExpand } from '../wire/expand';
import { checkCursors, listEnvelope, pageParams, pageQuery } from '../wire/lists';
import { array, boolean, requiredString } from '../wire/schema';
import { stripeEndpoint } from './endpoint';

const LIST_URL = '/v1/events';
/** Events can be listed for 30 days, as on Stripe; older ones are gone even before TTL removes them. */
const RETENTION_SECONDS = 30 * 24 * 60 * 60;

export const handler = stripeEndpoint(
  {
    ...pageParams(),
    type: requiredString(),
    types: array(requiredString(), { maxItems: 20 }),
    delivery_success: boolean(),
  },
  async ({ params, scope, origin }) => {
    checkCursors(params, 'evt', 'event');
    if (params.type !== undefined && params.types !== undefined) {
      throw invalidParameter('parameters_exclusive', 'You may only specify one of these parameters: type, types.', 'types');
    }
    resolveExpand(params.expand, [], { list: true });

    const wanted =
      params.type !== undefined
        ? eventTypesMatching(params.type)
        : params.types !== undefined
          ? SESSION_EVENT_TYPES.filter((type) => params.types!.includes(type))
          : SESSION_EVENT_TYPES;
    const oldest = Math.floor(origin.now.getTime() / 1000) - RETENTION_SECONDS;
    const page = { ...pageQuery(params), created: { ...params.created, gte: Math.max(params.created?.gte ?? 0, oldest) } };
    const { data, hasMore } =
      // Events some webhook endpoint has not had yet: pending, or failed every attempt (functions/store/webhook-deliveries.ts).
      params.delivery_success === false
        ? await listUndeliveredEvents(scope, wanted, page)
        : await listEvents(scope, wanted.length === SESSION_EVENT_TYPES.length ? undefined : wanted, page);
    return listEnvelope(LIST_URL, data, hasMore);
  },
);
