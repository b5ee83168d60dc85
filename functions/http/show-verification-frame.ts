/**
 * `GET /v3/frame?key=pk_…&locale=…`: the document of the verification modal's frame
 * (browser/identity-modal.ts opens it). It holds no session: its script
 * (browser/verification-frame.ts) takes the client secret from the business's page by postMessage
 * and runs the page's steps in memory. Its `frame-ancestors` are the origins the key's account
 * allows (functions/hosted-page/embedding.ts), and `'none'` for an unknown or revoked key, so a
 * page that may not embed it gets nothing from it (the modal times out).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { VERIFICATION_FRAME_SCRIPT } from '../browser-bundles/verification-frame';
import { embeddingRuleOf } from '../hosted-page/embedding';
import { messagesFor } from '../hosted-page/messages';
import { chooseLocale } from '../hosted-page/page-locale';
import { nonceHtml } from './html-responses';
import { pageCsp, pageRoute, SECURITY_HEADERS } from './verification-page';

const escapeAttribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
/** A BCP 47 tag as the page takes it (`fr`, `pt-BR`, `zh-Hant-TW`), else nothing. */
const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/;

export const handler = pageRoute(async (event: APIGatewayProxyEventV2) => {
  const key = event.queryStringParameters?.key ?? '';
  const locale = event.queryStringParameters?.locale ?? '';
  // The frame's own words (its title, "Loading…", the modal's close button) in the language the page will speak.
  const m = messagesFor(chooseLocale({ query: locale, acceptLanguage: event.headers?.['accept-language'] }));
  const rule = await embeddingRuleOf(key);
  const origins = rule ? (rule.profile?.embedding_origins ?? '').split(' ').filter((origin) => rule.allows(origin)) : [];
  const loopback = rule ? rule.frameAncestors.includes('http://localhost:*') : false;
  const render = (nonce: string) =>
    [
      '<!DOCTYPE html>',
      `<html lang="${m.locale}" dir="${m.dir}" data-origins="${escapeAttribute(origins.join(' '))}"` +
        (loopback ? ' data-loopback="1"' : '') +
        // What the modal on the business's page labels its dialog and close button with (browser/identity-modal.ts).
        ` data-dialog-label="${escapeAttribute(m.t('consent.title'))}" data-close-label="${escapeAttribute(m.t('modal.close'))}"` +
        (rule ? ` data-scope="${escapeAttribute(`${rule.scope.account}:${rule.scope.mode}`)}"` : '') +
        `${LOCALE.test(locale) ? ` data-locale="${escapeAttribute(locale)}"` : ''}>`,
      '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
      `<title>${escapeAttribute(m.t('consent.title'))}</title>`,
      `<style nonce="${nonce}">body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#0f172a}main{padding:24px}</style></head>`,
      `<body><main><p role="status">${escapeAttribute(m.t(rule ? 'frame.loading' : 'frame.refused'))}</p></main>`,
      rule ? `<script nonce="${nonce}">${VERIFICATION_FRAME_SCRIPT.replace(/<\/(script)/gi, '<\\/$1')}</script>` : '',
      '</body></html>',
    ].join('');
  // 400, as for any malformed parameter of the page: the key names no account.
  return nonceHtml(SECURITY_HEADERS, (nonce) => pageCsp(nonce, rule?.frameAncestors), render, rule ? 200 : 400);
});
