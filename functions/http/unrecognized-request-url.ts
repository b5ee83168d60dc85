import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { VerityError } from '../domain/errors';
import { stripeResponses } from './stripe-responses';

/** Every method and path that no route serves: Stripe's 404, in Stripe's shape. */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(stripeResponses())
  .handler(async (event) => {
    const { method, path } = event.requestContext.http;
    throw new VerityError(
      'unrecognized_url',
      null,
      `Unrecognized request URL (${method}: ${path}). The routes Verity serves are listed in its README.`,
    );
  });
