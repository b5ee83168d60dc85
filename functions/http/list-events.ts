import { invalidParameter } from '../domain/errors';
import { eventTypesMatching } from '../domain/event-types';
import { SESSION_EVENT_TYPES } from '../domain/events';
import { listEvents } from '../store/events';
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
    // No webhooks are sent, so every event counts as delivered.
    if (params.delivery_success === false) return listEnvelope(LIST_URL, [], false);

    const wanted =
      params.type !== undefined
        ? eventTypesMatching(params.type)
        : params.types !== undefined
          ? SESSION_EVENT_TYPES.filter((type) => params.types!.includes(type))
          : SESSION_EVENT_TYPES;
    const oldest = Math.floor(origin.now.getTime() / 1000) - RETENTION_SECONDS;
    const { data, hasMore } = await listEvents(scope, wanted.length === SESSION_EVENT_TYPES.length ? undefined : wanted, {
      ...pageQuery(params),
      created: { ...params.created, gte: Math.max(params.created?.gte ?? 0, oldest) },
    });
    return listEnvelope(LIST_URL, data, hasMore);
  },
);
