import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { VerityError } from '../domain/errors';
import { API_VERSION, servedVersion } from '../wire/api-versions';
import { answerInVersion, stripeResponses } from './stripe-responses';

/** Every method and path that no route serves: Stripe's 404, in Stripe's shape. */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(stripeResponses())
  .handler(async (event) => {
    // As every API answer: the version asked for when it is one, else the newest (no key is checked here).
    let version = API_VERSION;
    try {
      version = servedVersion(event.headers?.['stripe-version'] ?? event.headers?.['Stripe-Version']).version;
    } catch {}
    answerInVersion(event, version);
    const { method, path } = event.requestContext.http;
    throw new VerityError(
      'unrecognized_url',
      null,
      `Unrecognized request URL (${method}: ${path}). The routes Verity serves are listed in its docs (docs/api.md).`,
    );
  });
