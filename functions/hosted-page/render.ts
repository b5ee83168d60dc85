/**
 * The hosted verification page as HTML: one pure function from the server's view to a complete
 * document. The server sends a strict CSP, so the page has one nonce'd <style> and at most one
 * nonce'd <script>, no inline handlers or style attributes, and nothing loaded from elsewhere.
 * Every dynamic string reaches the markup through the `html` tag, which escapes it.
 */
import { DOCUMENT_TYPES, type DocumentType } from '../domain/verification-session';
import { PAGE_SCRIPT } from './page-script';
import { accentStyle, PAGE_STYLE } from './page-style';
import { ID_NUMBER_DIGITS, type PageBranding, type PageRequirements, type PageView } from './view';

type ViewOf<Kind extends PageView['kind']> = Extract<PageView, { kind: Kind }>;

/** Markup that is already safe to place in the page. */
export class Html {
  constructor(readonly markup: string) {}
}
/** What `html` accepts: strings and numbers are escaped; `false`, `null` and `undefined` render nothing. */
export type Fragment = Html | string | number | false | null | undefined | readonly Fragment[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Safe in text and in quoted attribute values alike. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ENTITIES[char]!);

const toMarkup = (fragment: Fragment): string => {
  if (fragment instanceof Html) return fragment.markup;
  if (Array.isArray(fragment)) return (fragment as readonly Fragment[]).map(toMarkup).join('');
  if (fragment === false || fragment === null || fragment === undefined) return '';
  return escapeHtml(String(fragment));
};

/** Template tag: the literal parts are markup; every interpolated value is escaped unless it is already `Html`. */
export function html(literals: TemplateStringsArray, ...values: Fragment[]): Html {
  let markup = literals[0] ?? '';
  values.forEach((value, index) => {
    markup += toMarkup(value) + (literals[index + 1] ?? '');
  });
  return new Html(markup);
}

const DOCUMENT_NAMES: Record<DocumentType, string> = { driving_license: 'driving licence', id_card: 'ID card', passport: 'passport' };

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** "a", "a or b", "a, b or c". */
const alternatives = (words: string[]) => (words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`);

/**
 * The business's name in the middle of a sentence. The server's fallback name is a phrase
 * ("The business that sent you here") that must not keep its capital after "Ask" or "Return to".
 */
const midSentence = (business: string) => business.replace(/^The /, 'the ');

/**
 * Only web addresses become links: escaping keeps a URL inside its attribute, but a
 * `javascript:` URL would still run when clicked.
 */
const isWebUrl = (url: string) => /^https?:\/\//i.test(url);

/**
 * The documents a person may use; the view promises all three when the session allows any, but an empty list must not read as "passport
 * only".
 */
const allowedDocuments = (requirements: PageRequirements): DocumentType[] =>
  requirements.documentTypes.length > 0 ? requirements.documentTypes : [...DOCUMENT_TYPES];

const passportOnly = (requirements: PageRequirements) => allowedDocuments(requirements).every((type) => type === 'passport');

/** What the consent step lists, in the order the capture step asks for it. */
export function itemsAskedFor(requirements: PageRequirements): string[] {
  const items: string[] = [];
  if (requirements.document) {
    items.push(
      passportOnly(requirements)
        ? 'A photo of the page of your passport that shows your picture'
        : `A photo of the front and back of your ${alternatives(allowedDocuments(requirements).map((type) => DOCUMENT_NAMES[type]))}`,
    );
  }
  if (requirements.selfie) items.push('A selfie, to match your face with the photo on your document');
  if (requirements.idNumber) items.push(`Your ID number (${ID_NUMBER_DIGITS})`);
  if (requirements.personDetails) items.push('Your name and date of birth, to match with the ID number');
  if (requirements.liveCapture && (requirements.document || requirements.selfie))
    items.push("Photos must be taken with your device's camera");
  return items;
}

function testBanner(view: PageView): Html | null {
  if (view.mode !== 'test') return null;
  return html`<div class="test-banner" role="note"><strong>Test mode</strong> This is a test. Nothing you send is really checked.</div>`;
}

/**
 * The page's icon, inline: a browser asks for `/favicon.ico` when a page names none, which would
 * be a 404 on every visit. A `data:` image is what the CSP's `img-src` allows, and loads nothing.
 */
const FAVICON = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#4338ca" d="M16 2 4 7v8c0 7.4 5.1 13.4 12 15 6.9-1.6 12-7.6 ' +
    '12-15V7z"/>' +
    '<path fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round" d="m10 16 4 4 8-8"/></svg>',
)}`;

/** The business's name, after its logo when it has one: the logo is the name's picture, so its `alt` is empty. */
function brandHeader(view: PageView): Html | null {
  const { branding } = view;
  if (!branding?.header) return null;
  const { logo } = branding;
  return html`<header class="brand">
${logo && html`<img class="brand-logo" src="${logo.src}" width="${logo.width}" height="${logo.height}" alt="">`}
<span class="brand-name">${view.business}</span>
</header>
`;
}

/** A mailto: link for a validated address: the local part percent-encoded, so a `?` in it cannot add headers. */
const mailto = (email: string) => {
  const at = email.lastIndexOf('@');
  return `mailto:${encodeURIComponent(email.slice(0, at))}@${email.slice(at + 1)}`;
};

/** How to reach the business, when its profile says. */
function supportLine(view: PageView): Html | null {
  const { supportEmail, supportUrl }: PageBranding = view.branding ?? { header: false };
  const page = supportUrl !== undefined && isWebUrl(supportUrl) ? supportUrl : undefined;
  if (supportEmail === undefined && page === undefined) return null;
  const email = supportEmail !== undefined && html`<a href="${mailto(supportEmail)}">${supportEmail}</a>`;
  const visit = page !== undefined && html`<a href="${page}">${new URL(page).host}</a>`;
  return html`<p class="support">Questions? ${email && html`Write to ${email}`}${
    email && visit && ' or visit '
  }${!email && 'Visit '}${visit}.</p>
`;
}

/**
 * How every Verity HTML document (this page and the operators' console, functions/console/render.ts)
 * begins, up to its <body>: sized for phones, never sending a Referer (paths carry tokens and
 * ids), `meta` (more <meta> lines, each ending in a newline), the title, the icon (a data: URL, so
 * no request for /favicon.ico) and the one <style>, which carries `nonce`.
 */
export function documentHead(head: { nonce: string; title: string; icon: string; style: Fragment; meta?: Fragment }): Html {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${head.meta}<title>${head.title}</title>
<link rel="icon" href="${head.icon}">
<style nonce="${head.nonce}">${head.style}</style>
</head>
`;
}

const NOINDEX = html`<meta name="robots" content="noindex">
`;

function documentPage(view: PageView, nonce: string, title: string, content: Html, script = false): string {
  return html`${documentHead({
    nonce,
    title,
    icon: FAVICON,
    style: new Html(PAGE_STYLE + accentStyle(view.branding?.palette)),
    meta: NOINDEX,
  })}<body>
<main>
<div class="card">
${testBanner(view)}
<div class="card-body">
${brandHeader(view)}${content}
${supportLine(view)}</div>
</div>
</main>
${script && html`<script nonce="${nonce}">${new Html(PAGE_SCRIPT)}</script>`}
</body>
</html>
`.markup;
}

const returnLink = (returnUrl: string | null, business: string) =>
  returnUrl !== null &&
  isWebUrl(returnUrl) &&
  html`<p class="actions"><a class="button primary" href="${returnUrl}">Return to ${midSentence(business)}</a></p>`;

function renderConsent(view: ViewOf<'consent'>, nonce: string): string {
  const title = 'Verify your identity';
  return documentPage(
    view,
    nonce,
    title,
    html`<h1>${title}</h1>
<p class="lead">${view.business} asks you to confirm your identity.</p>
<h2>You will be asked for</h2>
<ul class="asked-for">
${itemsAskedFor(view.requirements).map((item) => html`<li>${item}</li>\n`)}</ul>
<h2>What happens to your data</h2>
<p>What you send is used only to confirm that you are who you say you are. ${view.business} receives the result, with the details that were
checked, such as your name and date of birth.</p>
<p>If you decline, nothing is checked and ${midSentence(view.business)} is told that you declined.</p>
<form class="actions" method="post" action="${view.formAction}">
<button class="button primary" type="submit" name="consent" value="accept">Accept and continue</button>
<button class="button secondary" type="submit" name="consent" value="decline">Decline</button>
</form>`,
  );
}

type PhotoName = 'document_front' | 'document_back' | 'selfie';

interface PhotoField {
  name: PhotoName;
  label: string;
  hint: string;
  /** Which camera the `capture` attribute and the "Use camera" button ask for. */
  facing: 'environment' | 'user';
  /** Shown when a required photo is missing. */
  missing: string;
}

function photoField(
  field: PhotoField,
  { liveCapture, required, hidden }: { liveCapture: boolean; required: boolean; hidden: boolean },
): Html {
  const hintId = `${field.name}-hint`;
  return html`<div class="field photo-field" data-field${field.name === 'document_back' && ' data-back-side'}${hidden && ' hidden'}>
<label class="field-label" for="${field.name}">${field.label}</label>
<p class="hint" id="${hintId}">${field.hint}</p>
<img class="preview" data-preview alt="Your photo: ${field.label.toLowerCase()}" hidden>
<input type="file" id="${field.name}" name="${field.name}" accept="image/*"${liveCapture && html` capture="${field.facing}"`}
aria-describedby="${hintId} ${field.name}-error" data-missing="${field.missing}"${required && ' required'}${hidden && ' disabled'}>
${
  liveCapture &&
  html`<button class="button secondary" type="button" data-open-camera data-facing="${field.facing}"${
    hidden && ' disabled'
  }>Use camera</button>
<div class="camera" data-camera hidden>
<video data-camera-video playsinline muted aria-label="Camera preview"></video>
<div class="camera-actions">
<button class="button primary" type="button" data-take-photo>Take photo</button>
<button class="button secondary" type="button" data-close-camera>Cancel</button>
</div>
</div>`
}
<p class="field-error" id="${field.name}-error" data-field-error></p>
</div>
`;
}

function documentTypeChoice(types: DocumentType[]): Html {
  // A single allowed type is a fact, not a choice: say it, and send it without asking.
  if (types.length === 1) {
    const only = types[0]!;
    return html`<p class="field">Use your ${DOCUMENT_NAMES[only]}.</p>
<input type="hidden" name="document_type" value="${only}">
`;
  }
  return html`<fieldset class="field">
<legend class="field-label">Which document will you use?</legend>
<div class="options">
${types.map(
  (type, index) => html`<div class="option">
<input type="radio" id="document_type_${type}" name="document_type" value="${type}"${index === 0 && ' checked'}>
<label for="document_type_${type}">${capitalize(DOCUMENT_NAMES[type])}</label>
</div>
`,
)}</div>
</fieldset>
`;
}

function testOptions(view: ViewOf<'capture'>): Html | null {
  if (view.mode !== 'test') return null;
  const { requirements } = view;
  const optional = [
    (requirements.document || requirements.selfie) && 'photos',
    requirements.idNumber && (requirements.document || requirements.selfie ? 'the ID number' : 'The ID number'),
  ].filter((part): part is string => typeof part === 'string');
  const optionalNote =
    optional.length > 0 &&
    `${capitalize(optional.join(' and '))} ${optional.length > 1 || optional[0] === 'photos' ? 'are' : 'is'} optional in test mode. `;
  const seconds = `${view.delaySeconds} ${view.delaySeconds === 1 ? 'second' : 'seconds'}`;
  // One select, not a radio per outcome: up to fourteen outcomes would push the submit button
  // screens down on a phone. The chosen outcome's description is shown (and announced) below it.
  const [first] = view.testCases;
  return html`<div class="field test-cases" data-field>
<label class="field-label" for="test_case">Choose a test outcome</label>
<p class="hint" id="test_case-hint">${optionalNote}Nothing is checked: the session shows the outcome you choose.</p>
<select class="text-input" id="test_case" name="test_case" aria-describedby="test_case-hint test_case-description test_case-error"
data-test-case>
${view.testCases.map(
  (testCase, index) => html`<option value="${testCase.id}" data-description="${testCase.description}"${
    index === 0 && ' selected'
  }>${testCase.label}</option>
`,
)}</select>
<p class="hint outcome-description" id="test_case-description" aria-live="polite" data-test-case-description>${first?.description}</p>
<p class="field-error" id="test_case-error" data-field-error></p>
</div>
<div class="field option">
<input type="checkbox" id="delay" name="delay">
<label for="delay">Simulate a processing delay of ${seconds}</label>
</div>
`;
}

/**
 * The name and date of birth a live `id_number` session asks for (view.ts `personDetails`), named
 * as the submit route's parameters so its errors land beside the field. The date is three
 * numeric boxes (day, month, year), which every phone keyboard and screen reader handles.
 */
function personDetailsFields(): Html {
  const name = (
    part: 'first_name' | 'last_name',
    label: string,
    autocomplete: string,
    missing: string,
  ) => html`<div class="field" data-field>
<label class="field-label" for="${part}">${label}</label>
<input class="text-input" type="text" id="${part}" name="person_details[${part}]" autocomplete="${autocomplete}" spellcheck="false"
maxlength="100" aria-describedby="${part}-error" data-missing="${missing}" required>
<p class="field-error" id="${part}-error" data-field-error></p>
</div>
`;
  const datePart = (part: 'day' | 'month' | 'year', label: string, size: number) => html`<div class="date-part date-part-${part}">
<label for="dob_${part}">${label}</label>
<input class="text-input" type="text" inputmode="numeric" id="dob_${part}" name="person_details[dob][${part}]" autocomplete="bday-${part}"
maxlength="${String(size)}" aria-describedby="dob-hint dob-error" data-missing="Enter the ${part} you were born." required>
</div>
`;
  return html`${name('first_name', 'First name', 'given-name', 'Enter your first name.')}${name(
    'last_name',
    'Last name',
    'family-name',
    'Enter your last name.',
  )}<div class="field" data-field>
<fieldset>
<legend class="field-label">Date of birth</legend>
<p class="hint" id="dob-hint">For example, 14 7 1990.</p>
<div class="date-parts">
${datePart('day', 'Day', 2)}${datePart('month', 'Month', 2)}${datePart('year', 'Year', 4)}</div>
<p class="field-error" id="dob-error" data-field-error></p>
</fieldset>
</div>
`;
}

function renderCapture(view: ViewOf<'capture'>, nonce: string): string {
  const { requirements } = view;
  const live = view.mode === 'live';
  const types = allowedDocuments(requirements);
  const photoOptions = { liveCapture: requirements.liveCapture, required: live, hidden: false };
  const title = requirements.document ? 'Add your documents' : 'Enter your ID number';
  const passport = passportOnly(requirements);

  const fields: Fragment[] = [];
  if (requirements.document) {
    fields.push(documentTypeChoice(types));
    fields.push(
      photoField(
        {
          name: 'document_front',
          label: passport ? 'Photo page of your passport' : 'Front of your document',
          hint: 'The side with your picture. Make sure all four corners show and the text is sharp.',
          facing: 'environment',
          missing: passport ? 'Add a photo of the photo page of your passport.' : 'Add a photo of the front of your document.',
        },
        photoOptions,
      ),
    );
    // A passport has no back: the field is left out when only passports are allowed, and hidden
    // (by the script) while a passport is selected.
    if (!passport) {
      fields.push(
        photoField(
          {
            name: 'document_back',
            label: 'Back of your document',
            hint: 'The other side, with all four corners showing.',
            facing: 'environment',
            missing: 'Add a photo of the back of your document.',
          },
          { ...photoOptions, hidden: types[0] === 'passport' },
        ),
      );
    }
  }
  if (requirements.selfie) {
    fields.push(
      photoField(
        {
          name: 'selfie',
          label: 'A selfie',
          hint: 'Look straight at the camera, in good light, with nothing covering your face.',
          facing: 'user',
          missing: 'Add a selfie.',
        },
        photoOptions,
      ),
    );
  }
  if (requirements.idNumber) {
    fields.push(html`<div class="field" data-field>
<label class="field-label" for="id_number">Your ID number</label>
<p class="hint" id="id_number-hint">${capitalize(ID_NUMBER_DIGITS)}.</p>
<input class="text-input" type="text" id="id_number" name="id_number" inputmode="numeric" autocomplete="off" spellcheck="false"
aria-describedby="id_number-hint id_number-error" data-missing="Enter your ID number."${live && ' required'}>
<p class="field-error" id="id_number-error" data-field-error></p>
</div>
`);
  }
  if (requirements.personDetails) fields.push(personDetailsFields());

  const intro = requirements.document
    ? 'Take clear photos in good light, on a plain background. It takes about two minutes.'
    : `${view.business} needs your ID number to confirm who you are.`;

  return documentPage(
    view,
    nonce,
    title,
    html`<h1>${title}</h1>
<p class="lead">${intro}</p>
<noscript><p class="notice">This page needs JavaScript to take and send your photos. Turn JavaScript on,
or open this link in another browser.</p></noscript>
<form id="capture-form" novalidate data-submit-url="${view.submitUrl}" data-mode="${view.mode}">
${fields}${testOptions(view)}<div class="error" id="form-error" role="alert" aria-live="assertive" tabindex="-1"></div>
<div class="actions">
<button class="button primary" type="submit" data-submit disabled>Submit</button>
</div>
</form>`,
    true,
  );
}

function renderFinished(view: ViewOf<'finished'>, nonce: string): string {
  const submitted = view.outcome === 'submitted';
  const title = submitted ? 'Thank you' : 'You declined';
  const message = submitted
    ? `Your documents were submitted. ${view.business} will let you know the result.`
    : 'You declined to be verified. You can close this page.';
  return messagePage(view, nonce, title, message);
}

/** A page that only tells the person something, with the way back to the business when there is one. */
function messagePage(view: ViewOf<'finished' | 'unavailable'>, nonce: string, title: string, message: string): string {
  return documentPage(
    view,
    nonce,
    title,
    html`<h1>${title}</h1>
<p class="lead">${message}</p>
${returnLink(view.returnUrl, view.business)}`,
  );
}

function renderUnavailable(view: ViewOf<'unavailable'>, nonce: string): string {
  const business = midSentence(view.business);
  const { title, message } = {
    link_expired: { title: 'This link has expired or was already used', message: `Ask ${business} for a new link.` },
    session_closed: {
      title: 'This verification is no longer open',
      message:
        `It was completed or canceled, so there is nothing more to do here. If you still need to verify, ask ${business} for a ` +
        `new link.`,
    },
    live_checks_unavailable: {
      title: "Verification isn't available yet",
      message:
        `The operator of this service has not set up live verification, so nothing can be checked right now. Please try again ` +
        `later, or contact ${business}.`,
    },
  }[view.reason];
  return messagePage(view, nonce, title, message);
}

/** The hosted verification page for a view. `nonce` must be the one in the response's CSP header. */
export function renderHostedPage(view: PageView, nonce: string): string {
  switch (view.kind) {
    case 'consent':
      return renderConsent(view, nonce);
    case 'capture':
      return renderCapture(view, nonce);
    case 'finished':
      return renderFinished(view, nonce);
    case 'unavailable':
      return renderUnavailable(view, nonce);
  }
}
