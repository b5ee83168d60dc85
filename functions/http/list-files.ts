/** `GET /v1/files`: the account's verification images, newest first; filters `purpose` and `created`, cursor pages. */
import { listFiles } from '../store/file-descriptions';
import { resolveExpand } from '../wire/expand';
import { FILE_PURPOSES, renderFile } from '../wire/files';
import { checkCursors, listEnvelope, pageParams, pageQuery } from '../wire/lists';
import { oneOf } from '../wire/schema';
import { stripeEndpoint } from './endpoint';
import { visibleFiles } from './files-access';

const LIST_URL = '/v1/files';

export const handler = stripeEndpoint({ ...pageParams(), purpose: oneOf(FILE_PURPOSES) }, async ({ params, scope }) => {
  checkCursors(params, 'file', 'file');
  resolveExpand(params.expand, [], { list: true });
  const { data, hasMore } = await listFiles(scope, { ...pageQuery(params), purpose: params.purpose });
  // A redacted session's files leave the page at once; `has_more` still says whether the index holds more.
  return listEnvelope(LIST_URL, (await visibleFiles(scope, data)).map(renderFile), hasMore);
});
