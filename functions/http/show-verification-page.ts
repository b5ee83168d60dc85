/** `GET /start/{token}`: the verification page a session's `url` opens. */
import { pageAccess, pageView } from '../hosted-page/page-access';
import { htmlResponse, pageRoute, pageStatus, tokenOf, pageCredentials } from './verification-page';

export const handler = pageRoute(async (event) => {
  const token = tokenOf(event);
  const view = await pageView(await pageAccess(token, pageCredentials(event), new Date()), token);
  return htmlResponse(view, pageStatus(view));
});
