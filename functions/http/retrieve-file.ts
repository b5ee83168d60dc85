/** `GET /v1/files/:id`: a verification image's File object (Stripe's), without its contents. */
import { expandParam, resolveExpand } from '../wire/expand';
import { renderFile } from '../wire/files';
import { stripeEndpoint } from './endpoint';
import { visibleFile } from './files-access';

export const handler = stripeEndpoint({ expand: expandParam() }, async ({ params, scope, pathId }) => {
  resolveExpand(params.expand, []);
  return renderFile(await visibleFile(scope, pathId ?? ''));
});
