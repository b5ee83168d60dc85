/**
 * Screenshots of the operators' console, to look at its layout without running the service: the
 * sessions list (laptop), a session page as a viewer sees it (phone), and a revealed report with
 * its images (laptop), written to docs/images/. The pages are the console's own renderers fed with a
 * test-mode session taken through the core (create, submit, test mode's sample person, conclude),
 * served to Chromium with the console's own headers (its Content-Security-Policy included), so a
 * blocked image or style shows as a problem. Uses the system's Chromium through playwright-core.
 *
 *   node --import tsx bin/console-screenshots.ts
 */
import { samplePerson } from '../functions/checks/test-mode';
import { imageLink } from '../functions/console/console-access';
import { consoleHtml } from '../functions/console/console-http';
import { renderAuditLog, renderSessionList, renderSessionPage, type Operator, type SessionPageView } from '../functions/console/render';
import { checksOf } from '../functions/domain/verification-checks';
import { buildVerificationReport } from '../functions/domain/verification-report';
import {
  concludeVerification,
  createVerificationSession,
  submitVerificationSession,
  type VerificationSession,
} from '../functions/domain/verification-session';
import type { ConsoleAuditEvent } from '../functions/store/audit-log';
import type { ConsoleSession } from '../functions/store/console-sessions';
import { renderEvent } from '../functions/wire/events';
import { newObjectId } from '../functions/domain/ids';
import { launchChromium } from '../test/support/browser';
import { writeScreenshots } from './screenshots';

process.env.VERITY_SIGNING_SECRET ??= 'screenshots-only-signing-secret-0123456789abcdef';
const scope = { account: 'acct_1NorthwindOutfit', mode: 'test' } as const;
const now = new Date();
const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);

// A session taken through the core, as the service would.
function verifiedSession(
  minutesAgo: number,
  reference: string,
): { session: VerificationSession; events: ReturnType<typeof renderEvent>[]; report: ReturnType<typeof buildVerificationReport> } {
  const created = createVerificationSession(
    {
      type: 'document',
      client_reference_id: reference,
      options: { document: { require_matching_selfie: true } },
      provided_details: { email: 'jenny.rosen@example.com' },
    },
    { id: newObjectId('vs', at(minutesAgo).getTime()), scope, now: at(minutesAgo) },
  );
  const submitted = submitVerificationSession(created, 'vsub_sample');
  const files = {
    document_front: newObjectId('file', at(minutesAgo - 2).getTime()),
    selfie: newObjectId('file', at(minutesAgo - 2).getTime() + 1),
  };
  const outcome = { ran: checksOf(created), failure: null, person: samplePerson(created, { document_type: 'passport' }) };
  const report = buildVerificationReport({
    id: newObjectId('vr', at(minutesAgo - 3).getTime()),
    now: at(minutesAgo - 3),
    session: submitted,
    submission: { files },
    outcome,
  });
  const session = concludeVerification(submitted, { submission: 'vsub_sample', report: report.id, outcome });
  const event = (type: 'created' | 'processing' | 'verified', when: number, state: VerificationSession) =>
    renderEvent({
      id: newObjectId('evt', at(when).getTime()),
      type: `identity.verification_session.${type}`,
      created: Math.floor(at(when).getTime() / 1000),
      session: state,
      request: null,
    });
  return {
    session,
    report,
    events: [
      event('created', minutesAgo, created),
      event('processing', minutesAgo - 2, submitted),
      event('verified', minutesAgo - 3, session),
    ],
  };
}

const main = verifiedSession(42, 'order-10442');
const others: VerificationSession[] = [
  { ...createVerificationSession({ type: 'document' }, { id: newObjectId('vs', at(5).getTime()), scope, now: at(5) }) },
  {
    ...createVerificationSession({ type: 'document' }, { id: newObjectId('vs', at(18).getTime()), scope, now: at(18) }),
    last_error: { code: 'document_expired', reason: 'The document is expired.' },
  },
  {
    ...createVerificationSession({ type: 'id_number' }, { id: newObjectId('vs', at(95).getTime()), scope, now: at(95) }),
    status: 'canceled',
  },
];
const sessions = [others[0]!, others[1]!, main.session, others[2]!];

const consoleSession = (role: ConsoleSession['role'], email: string): ConsoleSession => ({
  id: newObjectId('cs', now.getTime()),
  scope,
  email,
  role,
  created: Math.floor(now.getTime() / 1000),
  expires: Math.floor(now.getTime() / 1000) + 8 * 3600,
});
const reviewer = consoleSession('reviewer', 'maria@northwind.example');
const viewer = consoleSession('viewer', 'sam@northwind.example');
const operator = (session: ConsoleSession): Operator => ({ session, csrf: 'csrf-token-for-screenshots' });

const pageView = (session: ConsoleSession, revealed: boolean): SessionPageView => ({
  operator: operator(session),
  session: main.session,
  events: main.events,
  reports: [main.report],
  revealed,
  images: revealed
    ? Object.fromEntries(
        [...(main.report.document?.files ?? []), main.report.selfie!.selfie!].map((id) => [id, imageLink(session, id, now)]),
      )
    : {},
  canReveal: session.role !== 'viewer',
  actions: { cancel: false, redact: session.role === 'admin', override: null },
});

const audit: ConsoleAuditEvent[] = (['image_view', 'image_view', 'reveal', 'sign_in'] as const).map((action, i) => ({
  id: newObjectId('cae', at(i).getTime()),
  object: 'verity.console_audit_event',
  created: Math.floor(at(i).getTime() / 1000),
  livemode: false,
  action,
  operator: { email: reviewer.email, role: reviewer.role, console_session: reviewer.id },
  target:
    action === 'sign_in'
      ? null
      : action === 'reveal'
        ? { object: 'identity.verification_session', id: main.session.id }
        : { object: 'file', id: i === 0 ? main.report.selfie!.selfie! : main.report.document!.files![0]! },
  request: `req_${'Sample0000000'}${i}`,
}));

const shots = [
  {
    file: 'console-sessions.png',
    width: 1280,
    height: 800,
    scale: 1,
    render: (nonce: string) => renderSessionList({ operator: operator(reviewer), filters: {}, sessions, canSearchReference: true }, nonce),
  },
  {
    file: 'console-session-phone.png',
    width: 390,
    height: 844,
    scale: 2,
    render: (nonce: string) => renderSessionPage(pageView(viewer, false), nonce),
  },
  {
    file: 'console-revealed-report.png',
    width: 1280,
    height: 800,
    scale: 1,
    render: (nonce: string) => renderSessionPage(pageView(reviewer, true), nonce),
  },
  {
    file: 'console-audit-log.png',
    width: 1280,
    height: 800,
    scale: 1,
    render: (nonce: string) => renderAuditLog({ operator: operator(reviewer), entries: audit }, nonce),
  },
];

const browser = await launchChromium();
const ORIGIN = 'https://verity.example';

/** A sample photo, drawn by the browser: a passport-like card, or a face-like selfie. */
async function samplePhoto(kind: 'document' | 'selfie'): Promise<Buffer> {
  const page = await browser.newPage({ viewport: { width: 480, height: 320 } });
  const body =
    kind === 'document'
      ? '<rect width="480" height="320" rx="18" fill="#1e3a8a"/><rect x="24" y="70" width="130" height="170" rx="8" ' +
        'fill="#cbd5e1"/><circle cx="89" cy="135" r="34" fill="#64748b"/><rect x="40" y="180" width="98" height="50" rx="25" ' +
        'fill="#64748b"/>' +
        '<text x="180" y="60" fill="#fff" font-family="sans-serif" font-size="28" font-weight="700">PASSPORT</text>' +
        [0, 1, 2, 3].map((i) => `<rect x="180" y="${95 + i * 36}" width="${250 - i * 30}" height="14" rx="7" fill="#93c5fd"/>`).join('') +
        '<text x="24" y="292" fill="#e2e8f0" font-family="monospace" ' +
        'font-size="17">P&lt;UTOROSEN&lt;&lt;JENNY&lt;&lt;&lt;&lt;&lt;&lt;&lt;&lt;&lt;&lt;&lt;</text>'
      : '<rect width="480" height="320" fill="#e0f2fe"/><circle cx="240" cy="140" r="70" fill="#94a3b8"/><rect x="130" y="220" ' +
        'width="220" height="120" rx="60" fill="#94a3b8"/>';
  await page.setContent(
    `<body style="margin:0"><svg xmlns="http://www.w3.org/2000/svg" width="480" height="320" viewBox="0 0 480 320">${body}</svg></body>`,
  );
  const png = await page.screenshot({ clip: { x: 0, y: 0, width: 480, height: 320 } });
  await page.close();
  return png;
}
const photos = { document: await samplePhoto('document'), selfie: await samplePhoto('selfie') };

await writeScreenshots(browser, shots, async (page, shot, problems) => {
  await page.route('**/*', (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/console/page') {
      const { statusCode, headers, body } = consoleHtml(shot.render);
      return route.fulfill({ status: statusCode!, headers: headers as Record<string, string>, body: body! });
    }
    const file = /^\/console\/files\/(file_\w+)\/contents$/.exec(path)?.[1];
    if (file)
      return route.fulfill({
        status: 200,
        contentType: 'image/png',
        body: file === main.report.selfie!.selfie ? photos.selfie : photos.document,
      });
    problems.push(`unexpected request: ${path}`);
    return route.fulfill({ status: 404 });
  });
  await page.goto(`${ORIGIN}/console/page`, { waitUntil: 'load' });
});
