/** Every state of the verification page, as views: for the pseudo-locale test and the axe test. */
import { FAILURE_CODES } from '../../functions/domain/verification-checks';
import { qrCodeImage } from '../../functions/hosted-page/handoff-qr';
import type { PageRequirements, PageView } from '../../functions/hosted-page/view';

const requirements = (overrides: Partial<PageRequirements> = {}): PageRequirements => ({
  sessionType: 'document',
  documentTypes: ['driving_license', 'id_card', 'passport'],
  document: true,
  selfie: true,
  idNumber: true,
  liveCapture: true,
  ...overrides,
});
const branding = {
  header: true,
  supportEmail: 'help@shop.example',
  supportUrl: 'https://help.shop.example/',
  privacyPolicyUrl: 'https://shop.example/privacy',
};
const common = { business: null, mode: 'test' as const, branding };

/** Every state the page can be in. */
export const EVERY_STATE: PageView[] = [
  { ...common, kind: 'consent', requirements: requirements(), formAction: '/start/x', retry: null, retentionDays: 30 },
  { ...common, kind: 'consent', requirements: requirements({ documentTypes: ['passport'] }), formAction: '/start/x', retentionDays: null },
  ...FAILURE_CODES.map((retry): PageView => ({ ...common, kind: 'consent', requirements: requirements(), formAction: '/start/x', retry })),
  { ...common, kind: 'confirm_decline', formAction: '/start/x' },
  {
    ...common,
    kind: 'capture',
    requirements: requirements(),
    submitUrl: '/start/x/submit',
    testCases: [{ id: 'verified' }, { id: 'document_expired' }],
    delaySeconds: 10,
    retry: 'selfie_face_mismatch',
    handoffUrl: '/start/x/handoffs',
  },
  {
    ...common,
    mode: 'live',
    kind: 'capture',
    requirements: requirements({ sessionType: 'id_number', document: false, selfie: false, documentTypes: [], personDetails: true }),
    submitUrl: '/start/x/submit',
    testCases: [],
    delaySeconds: 10,
  },
  // The liveness step: AWS's component (live), and test mode's stand-in beside the selfie photo.
  {
    ...common,
    mode: 'live',
    kind: 'capture',
    requirements: requirements({ idNumber: false, liveCapture: false }),
    submitUrl: '/start/x/submit',
    testCases: [],
    delaySeconds: 10,
    liveness: { mode: 'aws', sessionsUrl: '/start/x/liveness_sessions', assetsPath: '/assets/liveness/v/', region: 'us-east-1' },
  },
  {
    ...common,
    kind: 'capture',
    requirements: requirements({ idNumber: false, liveCapture: false }),
    submitUrl: '/start/x/submit',
    testCases: [{ id: 'verified' }],
    delaySeconds: 10,
    liveness: { mode: 'stand_in', sessionsUrl: '/start/x/liveness_sessions', assetsPath: '/assets/liveness/v/', region: null },
  },
  { ...common, kind: 'processing', returnUrl: 'https://shop.example/back', next: '/start/x?waited=1', checkSeconds: 3 },
  { ...common, kind: 'processing', returnUrl: 'https://shop.example/back', next: null, checkSeconds: 3 },
  ...(['submitted', 'verified', 'declined'] as const).map(
    (outcome): PageView => ({ ...common, kind: 'finished', outcome, returnUrl: 'https://shop.example/back' }),
  ),
  { ...common, kind: 'finished', outcome: 'failed', retry: 'document_expired', returnUrl: null },
  ...(['link_expired', 'session_closed', 'canceled', 'declined', 'verified', 'live_checks_unavailable', 'handoff_spent'] as const).map(
    (reason): PageView => ({ ...common, kind: 'unavailable', reason, returnUrl: 'https://shop.example/back' }),
  ),
];

/**
 * A rendered capture page as a desktop shows it once the person asked for a code for their phone
 * (browser/hosted-page/handoff.ts): the hand-off section and its panel shown, the QR code and the
 * link filled in, the status said. Undefined for a page without a hand-off section.
 */
export function withHandoffShown(page: string): string | undefined {
  if (!page.includes('data-handoff-panel')) return undefined;
  const link = 'https://verity.example/handoff/test.0.YWNjdF8xOnZzXzE.0123456789abcdefghijABCDEFGHIJ01';
  const qr = qrCodeImage(link);
  return page
    .replace(/(<section class="handoff"[^>]*?) hidden>/, '$1>')
    .replace('data-handoff-panel hidden>', 'data-handoff-panel>')
    .replace('data-handoff-qr ', `data-handoff-qr src="${qr.src}" width="${qr.size}" height="${qr.size}" `)
    .replace('data-handoff-link>', `data-handoff-link value="${link}">`)
    .replace('data-handoff-status></p>', 'data-handoff-status>…</p>');
}
