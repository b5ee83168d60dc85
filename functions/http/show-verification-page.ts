/** `GET /start/{token}`: the verification page a session's `url` opens. */
import { pageAccess, pageView } from '../hosted-page/page-access';
import { htmlResponse, pageCredentials, pageRequestOf, pageRoute, pageStatus, tokenOf } from './verification-page';

export const handler = pageRoute(async (event) => {
  const token = tokenOf(event);
  const view = await pageView(await pageAccess(token, pageCredentials(event), new Date()), token, pageRequestOf(event));
  return htmlResponse(view, pageStatus(view));
});
