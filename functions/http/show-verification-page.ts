/** `GET /start/{token}`: the verification page a session's `url` opens. */
import { pageAccess, pageView } from '../hosted-page/page-access';
import { htmlResponse, pageRoute, tokenOf } from './verification-page';

export const handler = pageRoute(async (event) => {
  const token = tokenOf(event);
  const view = await pageView(await pageAccess(token, event.cookies, new Date()), token);
  const status = view.kind === 'unavailable' ? (view.reason === 'live_checks_unavailable' ? 503 : 410) : 200;
  return htmlResponse(view, status);
});
