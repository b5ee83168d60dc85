/**
 * The hosted verification page as HTML: one pure function from the server's view to a complete
 * document. The server sends a strict CSP, so the page has one nonce'd <style> and at most one
 * nonce'd <script>, no inline handlers or style attributes, and nothing loaded from elsewhere.
 * Every dynamic string reaches the markup through the `html` tag, which escapes it.
 */
import { testCaseFailure, type FailureCode } from '../domain/verification-checks';
import { HANDOFF_SECONDS } from '../domain/handoffs';
import { DOCUMENT_TYPES, type DocumentType } from '../domain/verification-session';
import { HOSTED_PAGE_SCRIPT } from '../browser-bundles/hosted-page';
import { MAX_IMAGE_SIDE_PIXELS } from '../domain/image-signature';
import { MAX_UPLOAD_BYTES } from '../files/objects';
import { type Fragment, Html, html } from './html';
import { formattingLocale, type MessageId, type Messages, messagesFor } from './messages';
import { SCRIPT_MESSAGE_KEYS, type ScriptMessageKey } from './script-messages';
import { FOLLOW_SCRIPT } from '../browser-bundles/follow';
import { accentStyle, PAGE_STYLE } from './page-style';
import { idNumberDigits, idNumberValues, type PageBranding, type PageRequirements, type PageView } from './view';

type ViewOf<Kind extends PageView['kind']> = Extract<PageView, { kind: Kind }>;

export { escapeHtml, type Fragment, Html, html } from './html';

/** The words of one page: its language's messages and the view they describe. */
interface Words {
  m: Messages;
  /** The business's name at the start of a sentence, and in the middle of one (the fallback phrase differs). */
  business: string;
  businessMid: string;
}

function wordsFor(view: PageView): Words {
  const m = messagesFor(view.locale ?? 'en');
  return {
    m,
    business: view.business ?? m.t('business.unnamed'),
    businessMid: view.business ?? m.t('business.unnamed_mid'),
  };
}

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

/** "a", "a or b", "a, b or c", in the page's language (Intl.ListFormat, a disjunction). */
const alternatives = (m: Messages, words: string[]) =>
  new Intl.ListFormat(formattingLocale(m.locale), { type: 'disjunction' }).format(words);

/** What the consent step lists, in the order the capture step asks for it. */
export function itemsAskedFor(requirements: PageRequirements, m: Messages = messagesFor('en')): string[] {
  const items: string[] = [];
  if (requirements.document) {
    items.push(
      passportOnly(requirements)
        ? m.t('consent.item.passport')
        : m.t('consent.item.document', {
            documents: alternatives(
              m,
              allowedDocuments(requirements).map((type) => m.t(`document.${type}`)),
            ),
          }),
    );
  }
  if (requirements.selfie) items.push(m.t('consent.item.selfie'));
  if (requirements.idNumber) items.push(m.t('consent.item.id_number', { digits: idNumberDigits(m) }));
  if (requirements.personDetails) items.push(m.t('consent.item.person_details'));
  if (requirements.liveCapture && (requirements.document || requirements.selfie)) items.push(m.t('consent.item.live_capture'));
  return items;
}

function testBanner(view: PageView, { m }: Words): Html | null {
  if (view.mode !== 'test') return null;
  return html`<div class="test-banner" role="note"><strong>${m.t('test_banner.title')}</strong> ${m.t('test_banner.text')}</div>`;
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
function brandHeader(view: PageView, { business }: Words): Html | null {
  const { branding } = view;
  if (!branding?.header) return null;
  const { logo } = branding;
  return html`<header class="brand">
${logo && html`<img class="brand-logo" src="${logo.src}" width="${logo.width}" height="${logo.height}" alt="">`}
<span class="brand-name">${business}</span>
</header>
`;
}

/** A mailto: link for a validated address: the local part percent-encoded, so a `?` in it cannot add headers. */
const mailto = (email: string) => {
  const at = email.lastIndexOf('@');
  return `mailto:${encodeURIComponent(email.slice(0, at))}@${email.slice(at + 1)}`;
};

/** How to reach the business, when its profile says. */
function supportLine(view: PageView, { m }: Words): Html | null {
  const { supportEmail, supportUrl }: PageBranding = view.branding ?? { header: false };
  const page = supportUrl !== undefined && isWebUrl(supportUrl) ? supportUrl : undefined;
  if (supportEmail === undefined && page === undefined) return null;
  const email = supportEmail !== undefined ? html`<a href="${mailto(supportEmail)}">${supportEmail}</a>` : undefined;
  const site = page !== undefined ? html`<a href="${page}">${new URL(page).host}</a>` : undefined;
  const line =
    email && site
      ? m.formatHtml('support.both', { email, site })
      : email
        ? m.formatHtml('support.email', { email })
        : m.formatHtml('support.site', { site: site! });
  return html`<p class="support">${line}</p>
`;
}

/**
 * How every Verity HTML document (this page and the operators' console, functions/console/render.ts)
 * begins, up to its <body>: in its language (`lang`, a BCP 47 tag, `en` unless given) and
 * direction (`dir`, `ltr` unless given), sized for phones, never sending a Referer (paths carry
 * tokens and ids), `meta` (more <meta> lines, each ending in a newline), the title, the icon (a
 * data: URL, so no request for /favicon.ico) and the one <style>, which carries `nonce`.
 */
export function documentHead(head: {
  nonce: string;
  title: string;
  icon: string;
  style: Fragment;
  meta?: Fragment;
  lang?: string;
  dir?: 'ltr' | 'rtl';
}): Html {
  return html`<!DOCTYPE html>
<html lang="${head.lang ?? 'en'}" dir="${head.dir ?? 'ltr'}">
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

/** A whole page: `script` is the one script it runs (inlined, with the nonce), or none. */
function documentPage(view: PageView, words: Words, nonce: string, title: string, content: Html, script: string | false = false): string {
  const { m } = words;
  const style = new Html(PAGE_STYLE + accentStyle(view.branding?.palette));
  return html`${documentHead({ nonce, title, icon: FAVICON, style, meta: NOINDEX, lang: m.locale, dir: m.dir })}<body>
<main>
<div class="card">
${testBanner(view, words)}
<div class="card-body">
${brandHeader(view, words)}${content}
${supportLine(view, words)}</div>
</div>
</main>
${script !== false && html`<script nonce="${nonce}">${new Html(script)}</script>`}
</body>
</html>
`.markup;
}

/** The way back to the business; `follow` marks it for the follow script, which takes it after 3 seconds. */
const returnLink = (returnUrl: string | null, { m, businessMid }: Words, follow = false) =>
  returnUrl !== null &&
  isWebUrl(returnUrl) &&
  html`<p class="actions"><a class="button primary" href="${returnUrl}"${follow && html` data-follow data-seconds="3"`}>${m.t(
    'return.link',
    { business: businessMid },
  )}</a></p>`;

function renderConsent(view: ViewOf<'consent'>, nonce: string): string {
  const words = wordsFor(view);
  const { m } = words;
  const title = m.t('consent.title');
  return documentPage(
    view,
    words,
    nonce,
    title,
    html`<h1>${title}</h1>
${retryNotice(view.retry, words)}<p class="lead">${m.t('consent.lead', { business: words.business })}</p>
<h2>${m.t('consent.asked_for')}</h2>
<ul class="asked-for">
${itemsAskedFor(view.requirements, m).map((item) => html`<li>${item}</li>\n`)}</ul>
<h2>${m.t('consent.data.title')}</h2>
<p>${m.t('consent.data.use', { business: words.business })}</p>
${dataKept(view, words)}${view.requirements.selfie && biometricNotice(words)}<p>${m.t('consent.decline_note', {
      business: words.businessMid,
    })}</p>
<form class="actions" method="post" action="${view.formAction}">
<button class="button primary" type="submit" name="consent" value="accept">${m.t('consent.accept')}</button>
<button class="button secondary" type="submit" name="consent" value="ask_decline">${m.t('consent.decline')}</button>
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
  /** What to do in front of the in-page camera, shown under its frame. */
  instruction: string;
}

/** The types a chosen photo may be: what submit takes (functions/domain/image-signature.ts). */
const ACCEPTED_TYPES = 'image/jpeg,image/png';

function photoField(
  m: Messages,
  field: PhotoField,
  { liveCapture, required, hidden }: { liveCapture: boolean; required: boolean; hidden: boolean },
): Html {
  const hintId = `${field.name}-hint`;
  const formatsId = `${field.name}-formats`;
  const frame = field.facing === 'user' ? 'camera-frame-face' : 'camera-frame-card';
  // Numbers as the page's language writes them, as the script writes the sizes it fills in (browser/hosted-page/messages.ts).
  const number = new Intl.NumberFormat(formattingLocale(m.locale));
  const limits = { megabytes: number.format(MAX_UPLOAD_BYTES / (1024 * 1024)), pixels: number.format(MAX_IMAGE_SIDE_PIXELS) };
  // Camera first: the in-page camera, with its frame, guidance and checks (browser/hosted-page/camera.ts),
  // then a file, whose formats and limits are stated before choosing; the capture attribute (the
  // phone's own camera app) only where live capture is required.
  return html`<div class="field photo-field" data-field${field.name === 'document_back' && ' data-back-side'}${hidden && ' hidden'}>
<label class="field-label" for="${field.name}">${field.label}</label>
<p class="hint" id="${hintId}">${field.hint}</p>
<img class="preview" data-preview alt="${m.t('capture.preview_alt', { label: field.label })}" hidden>
<button class="button primary" type="button" data-open-camera data-facing="${field.facing}"${hidden && ' disabled'}>\
${m.t('capture.use_camera')}</button>
<div class="camera" data-camera hidden>
<div class="camera-view">
<video data-camera-video playsinline muted aria-label="${m.t('capture.camera_preview')}"></video>
<div class="camera-frame ${frame}" aria-hidden="true"></div>
</div>
<p class="camera-instruction">${field.instruction}</p>
<p class="camera-guide" role="status" aria-live="polite" data-camera-guide></p>
<div class="camera-actions">
<button class="button primary" type="button" data-take-photo data-label="${m.t('capture.take_photo')}">${m.t('capture.take_photo')}</button>
<button class="button secondary" type="button" data-close-camera>${m.t('capture.cancel')}</button>
</div>
</div>
${
  liveCapture
    ? // require_live_capture: the camera only, on every device (no file picker, not even the phone's camera app, which
      // offers the gallery too); the still is held by a hidden input the script fills (browser/hosted-page/photos.ts).
      html`<p class="hint" id="${formatsId}">${m.t('capture.live_only.no_camera')}</p>
<input type="hidden" id="${field.name}" name="${field.name}" data-photo
 data-missing="${field.missing}"${required && ' required'}${hidden && ' disabled'}>`
    : html`<p class="hint choose-file" id="${formatsId}">${m.t('capture.choose_file', limits)}</p>
<input type="file" id="${field.name}" name="${field.name}" accept="${ACCEPTED_TYPES}" data-photo\
 aria-describedby="${hintId} ${formatsId} ${field.name}-error"
 data-missing="${field.missing}"${required && ' required'}${hidden && ' disabled'}>`
}
<p class="upload-status" role="status" aria-live="polite" data-upload-status></p>
<progress class="upload-progress" max="100" value="0" aria-label="${m.t('capture.upload_progress')}" data-upload-progress hidden></progress>
<button class="button secondary" type="button" data-retry-upload hidden>${m.t('capture.send_again')}</button>
<p class="field-error" id="${field.name}-error" data-field-error></p>
</div>
`;
}

function documentTypeChoice(m: Messages, types: DocumentType[]): Html {
  // A single allowed type is a fact, not a choice: say it, and send it without asking.
  if (types.length === 1) {
    const only = types[0]!;
    return html`<p class="field">${m.t('capture.use_document', { document: m.t(`document.${only}`) })}</p>
<input type="hidden" name="document_type" value="${only}">
`;
  }
  return html`<fieldset class="field">
<legend class="field-label">${m.t('capture.which_document')}</legend>
<div class="options">
${types.map(
  (type, index) => html`<div class="option">
<input type="radio" id="document_type_${type}" name="document_type" value="${type}"${index === 0 && ' checked'}>
<label for="document_type_${type}">${m.t(`document.option.${type}`)}</label>
</div>
`,
)}</div>
</fieldset>
`;
}

function testOptions(view: ViewOf<'capture'>, m: Messages): Html | null {
  if (view.mode !== 'test') return null;
  const { requirements } = view;
  const photos = requirements.document || requirements.selfie;
  const optionalNote =
    photos && requirements.idNumber
      ? m.t('test.optional.both')
      : photos
        ? m.t('test.optional.photos')
        : requirements.idNumber
          ? m.t('test.optional.id_number')
          : null;
  // One select, not a radio per outcome: up to fourteen outcomes would push the submit button
  // screens down on a phone. The chosen outcome's description is shown (and announced) below it.
  // An outcome's label is its Stripe code (`document_expired`), which is what a developer looks for.
  const described = view.testCases.map(({ id }) => ({
    id,
    label: id,
    description:
      id === 'verified'
        ? m.t('test.verified.description')
        : m.t('test.failure.description', { reason: m.t(`retry.reason.${testCaseFailure(id)!.code}`) }),
  }));
  const [first] = described;
  return html`<div class="field test-cases" data-field>
<label class="field-label" for="test_case">${m.t('test.choose')}</label>
<p class="hint" id="test_case-hint">${optionalNote && `${optionalNote} `}${m.t('test.nothing_checked')}</p>
<select class="text-input" id="test_case" name="test_case"
 aria-describedby="test_case-hint test_case-description test_case-error" data-test-case>
${described.map(
  (testCase, index) => html`<option value="${testCase.id}"
 data-description="${testCase.description}"${index === 0 && ' selected'}>${testCase.label}</option>
`,
)}</select>
<p class="hint outcome-description" id="test_case-description" aria-live="polite" data-test-case-description>${first?.description}</p>
<p class="field-error" id="test_case-error" data-field-error></p>
</div>
<div class="field option">
<input type="checkbox" id="delay" name="delay">
<label for="delay">${m.t('test.delay', { seconds: view.delaySeconds })}</label>
</div>
`;
}

/**
 * The order a date's day, month and year are written in the page's language, with an example
 * (14 July 1990), both from Intl.DateTimeFormat: 14/07/1990 in French, 1990/7/14 in Japanese.
 */
export function dateOrder(m: Messages): { order: ('day' | 'month' | 'year')[]; example: string } {
  const format = new Intl.DateTimeFormat(formattingLocale(m.locale), {
    day: 'numeric',
    month: 'numeric',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const sample = new Date(Date.UTC(1990, 6, 14));
  const order = format
    .formatToParts(sample)
    .map((part) => part.type)
    .filter((type): type is 'day' | 'month' | 'year' => type === 'day' || type === 'month' || type === 'year');
  return { order: order.length === 3 ? order : ['day', 'month', 'year'], example: format.format(sample) };
}

/**
 * The name and date of birth a live `id_number` session asks for (view.ts `personDetails`), named
 * as the submit route's parameters so its errors land beside the field. The date is three
 * numeric boxes (day, month, year, in the order the language writes them), which every phone
 * keyboard and screen reader handles.
 */
function personDetailsFields(m: Messages): Html {
  const name = (part: 'first_name' | 'last_name', autocomplete: string) => html`<div class="field" data-field>
<label class="field-label" for="${part}">${m.t(`person.${part}`)}</label>
<input class="text-input" type="text" id="${part}" name="person_details[${part}]" autocomplete="${autocomplete}" spellcheck="false"
 maxlength="100" aria-describedby="${part}-error" data-missing="${m.t(`person.${part}.missing`)}" required>
<p class="field-error" id="${part}-error" data-field-error></p>
</div>
`;
  const size = { day: 2, month: 2, year: 4 } as const;
  const datePart = (part: 'day' | 'month' | 'year') => html`<div class="date-part date-part-${part}">
<label for="dob_${part}">${m.t(`person.dob.${part}`)}</label>
<input class="text-input" type="text" inputmode="numeric" id="dob_${part}" name="person_details[dob][${part}]" autocomplete="bday-${part}"
 maxlength="${String(size[part])}" aria-describedby="dob-hint dob-error"
 data-missing="${m.t(`person.dob.${part}.missing`)}" required>
</div>
`;
  const { order, example } = dateOrder(m);
  return html`${name('first_name', 'given-name')}${name('last_name', 'family-name')}<div class="field" data-field>
<fieldset>
<legend class="field-label">${m.t('person.dob')}</legend>
<p class="hint" id="dob-hint">${m.t('person.dob.hint', { example })}</p>
<div class="date-parts">
${order.map(datePart)}</div>
<p class="field-error" id="dob-error" data-field-error></p>
</fieldset>
</div>
`;
}

/**
 * The page script's own words (browser/hosted-page/messages.ts `MessageKey`), handed to it in the
 * form's `data-message-*` attributes: the script carries no language. A placeholder the script
 * fills in itself (a photo's size) is rendered as its own `{name}`.
 */
function scriptMessages(m: Messages): Html {
  const fromCapture = new Set<ScriptMessageKey>(['take_again', 'submitting']);
  const photo: Partial<Record<ScriptMessageKey, MessageId>> = {
    unreadable: 'photo.unreadable',
    too_many_bytes: 'photo.too_many_bytes',
    too_many_pixels: 'photo.too_many_pixels',
  };
  return html`${SCRIPT_MESSAGE_KEYS.map((key) => {
    const id = photo[key] ?? ((fromCapture.has(key) ? `capture.${key}` : `script.${key}`) as MessageId);
    // `button`: the hand-off's button, quoted as the page shows it (script.camera_required_handoff).
    const text = m.t(id, {
      megabytes: '{megabytes}',
      width: '{width}',
      height: '{height}',
      max: '{max}',
      button: m.t('capture.handoff.show'),
    });
    return html` data-message-${key.replace(/_/g, '-')}="${text}"`;
  })}`;
}

function renderCapture(view: ViewOf<'capture'>, nonce: string): string {
  const words = wordsFor(view);
  const { m } = words;
  const { requirements } = view;
  const live = view.mode === 'live';
  const types = allowedDocuments(requirements);
  const photoOptions = { liveCapture: requirements.liveCapture, required: live, hidden: false };
  const title = requirements.document ? m.t('capture.title.documents') : m.t('capture.title.id_number');
  const passport = passportOnly(requirements);

  const fields: Fragment[] = [];
  if (requirements.document) {
    fields.push(documentTypeChoice(m, types));
    fields.push(
      photoField(
        m,
        {
          name: 'document_front',
          label: passport ? m.t('capture.front.label_passport') : m.t('capture.front.label'),
          hint: m.t('capture.front.hint'),
          facing: 'environment',
          missing: passport ? m.t('capture.front.missing_passport') : m.t('capture.front.missing'),
          instruction: passport ? m.t('capture.front.instruction_passport') : m.t('capture.front.instruction'),
        },
        photoOptions,
      ),
    );
    // A passport has no back: the field is left out when only passports are allowed, and hidden
    // (by the script) while a passport is selected.
    if (!passport) {
      fields.push(
        photoField(
          m,
          {
            name: 'document_back',
            label: m.t('capture.back.label'),
            hint: m.t('capture.back.hint'),
            facing: 'environment',
            missing: m.t('capture.back.missing'),
            instruction: m.t('capture.back.instruction'),
          },
          { ...photoOptions, hidden: types[0] === 'passport' },
        ),
      );
    }
  }
  // With AWS's liveness component the live selfie is its capture: no photo field (test mode's stand-in keeps the photo).
  if (requirements.selfie && view.liveness?.mode !== 'aws') {
    fields.push(
      photoField(
        m,
        {
          name: 'selfie',
          label: m.t('capture.selfie.label'),
          hint: m.t('capture.selfie.hint'),
          facing: 'user',
          missing: m.t('capture.selfie.missing'),
          instruction: m.t('capture.selfie.instruction'),
        },
        photoOptions,
      ),
    );
  }
  if (view.liveness) fields.push(livenessField(view.liveness, m));
  if (requirements.idNumber) {
    fields.push(html`<div class="field" data-field>
<label class="field-label" for="id_number">${m.t('capture.id_number.label')}</label>
<p class="hint" id="id_number-hint">${m.t('id_number.hint', idNumberValues(m))}</p>
<input class="text-input" type="text" id="id_number" name="id_number" inputmode="numeric" autocomplete="off" spellcheck="false"
 aria-describedby="id_number-hint id_number-error" data-missing="${m.t('capture.id_number.missing')}"${live && ' required'}>
<p class="field-error" id="id_number-error" data-field-error></p>
</div>
`);
  }
  if (requirements.personDetails) fields.push(personDetailsFields(m));

  const intro = requirements.document ? m.t('capture.intro.documents') : m.t('capture.intro.id_number', { business: words.business });

  return documentPage(
    view,
    words,
    nonce,
    title,
    html`<h1>${title}</h1>
${retryNotice(view.retry, words)}<p class="lead">${intro}</p>
<noscript><p class="notice">${m.t('capture.noscript')}</p></noscript>
${
  requirements.liveCapture &&
  html`<p class="notice">${m.t('capture.live_only')}</p>
`
}${handoffSection(view, m)}<form id="capture-form" novalidate data-submit-url="${view.submitUrl}" data-mode="${view.mode}"\
${requirements.liveCapture && ' data-live-only'}\
 data-max-bytes="${MAX_UPLOAD_BYTES}" data-max-side="${MAX_IMAGE_SIDE_PIXELS}"${scriptMessages(m)}>
${fields}${testOptions(view, m)}<div class="error" id="form-error" role="alert" aria-live="assertive" tabindex="-1"></div>
<div class="actions">
<button class="button primary" type="submit" data-submit disabled>${m.t('capture.submit')}</button>
</div>
</form>`,
    HOSTED_PAGE_SCRIPT,
  );
}

/** The component's texts (its `LivenessDisplayText` keys), each from the catalogue's `liveness.component.<key>`. */
export const LIVENESS_DISPLAY_TEXT_KEYS = [
  'errorLabelText',
  'connectionTimeoutHeaderText',
  'connectionTimeoutMessageText',
  'timeoutHeaderText',
  'timeoutMessageText',
  'faceDistanceHeaderText',
  'faceDistanceMessageText',
  'multipleFacesHeaderText',
  'multipleFacesMessageText',
  'clientHeaderText',
  'clientMessageText',
  'serverHeaderText',
  'serverMessageText',
  'landscapeHeaderText',
  'landscapeMessageText',
  'portraitMessageText',
  'tryAgainText',
  'cameraMinSpecificationsHeadingText',
  'cameraMinSpecificationsMessageText',
  'cameraNotFoundHeadingText',
  'cameraNotFoundMessageText',
  'a11yVideoLabelText',
  'cancelLivenessCheckText',
  'goodFitCaptionText',
  'goodFitAltText',
  'hintCenterFaceText',
  'hintCenterFaceInstructionText',
  'hintFaceOffCenterText',
  'hintMoveFaceFrontOfCameraText',
  'hintTooManyFacesText',
  'hintFaceDetectedText',
  'hintCanNotIdentifyText',
  'hintTooCloseText',
  'hintTooFarText',
  'hintConnectingText',
  'hintVerifyingText',
  'hintCheckCompleteText',
  'hintIlluminationTooBrightText',
  'hintIlluminationTooDarkText',
  'hintIlluminationNormalText',
  'hintHoldFaceForFreshnessText',
  'hintMatchIndicatorText',
  'photosensitivityWarningBodyText',
  'photosensitivityWarningHeadingText',
  'photosensitivityWarningInfoText',
  'photosensitivityWarningLabelText',
  'retryCameraPermissionsText',
  'recordingIndicatorText',
  'startScreenBeginCheckText',
  'tooFarCaptionText',
  'tooFarAltText',
  'waitingCameraPermissionText',
] as const;

/** The component's texts in the page's language, as its `displayText` prop takes them. */
export const livenessDisplayText = (m: Messages): Record<string, string> =>
  Object.fromEntries(LIVENESS_DISPLAY_TEXT_KEYS.map((key) => [key, m.t(`liveness.component.${key}`)]));

/**
 * The liveness part of the capture form (view.ts `liveness`): a start button (the script creates the
 * liveness session only then, and loads AWS's component only then), a place for the component, and
 * the way out for a person who cannot do it. The component's texts travel as JSON in an attribute.
 */
function livenessField(liveness: NonNullable<ViewOf<'capture'>['liveness']>, m: Messages): Html {
  const standIn = liveness.mode === 'stand_in';
  return html`<div class="field liveness" data-field data-liveness="${liveness.mode}" data-liveness-url="${liveness.sessionsUrl}"\
 data-liveness-assets="${liveness.assetsPath}" data-liveness-text="${JSON.stringify(livenessDisplayText(m))}">
<h2 class="field-label" id="liveness-label">${standIn ? m.t('liveness.stand_in.label') : m.t('liveness.label')}</h2>
<p class="hint" id="liveness-hint">${standIn ? m.t('liveness.stand_in.hint') : m.t('liveness.hint')}</p>
<input type="hidden" name="liveness_session" data-missing="${m.t('script.liveness_missing')}" data-liveness-session>
<button class="button primary" type="button" data-start-liveness aria-describedby="liveness-hint">\
${standIn ? m.t('liveness.stand_in.start') : m.t('liveness.start')}</button>
<div class="liveness-component" data-liveness-mount></div>
<p class="upload-status" role="status" aria-live="polite" data-liveness-status></p>
<button class="button secondary" type="button" data-retry-liveness hidden>${m.t('liveness.retry')}</button>
<p class="hint" id="liveness-way-out-hint">${m.t('liveness.way_out.hint')}</p>
<button class="button secondary" type="button" data-liveness-unavailable aria-describedby="liveness-way-out-hint">\
${m.t('liveness.way_out')}</button>
<p class="field-error" id="liveness-error" data-field-error></p>
</div>
`;
}

/**
 * Desktop to phone (docs/hosted-page.md, *Continue on a phone*): rendered hidden; the page's script
 * (browser/hosted-page/handoff.ts) shows it on a desktop only. A button asks for the link; the QR
 * code's text alternative says what it is and that the same link is written below it, with a copy button.
 */
function handoffSection(view: ViewOf<'capture'>, m: Messages): Html | null {
  if (!view.handoffUrl) return null;
  return html`<section class="handoff" data-handoff data-handoff-url="${view.handoffUrl}" aria-labelledby="handoff-title" hidden>
<h2 id="handoff-title">${m.t('capture.handoff.title')}</h2>
<p class="hint">${m.t('capture.handoff.text')}</p>
<button class="button secondary" type="button" data-handoff-start>${m.t('capture.handoff.show')}</button>
<div class="handoff-panel" data-handoff-panel hidden>
<img class="handoff-qr" data-handoff-qr alt="${m.t('capture.handoff.qr_alt')}">
<label class="field-label" for="handoff-link">${m.t('capture.handoff.link_label')}</label>
<div class="handoff-link">
<input class="text-input" type="text" id="handoff-link" readonly spellcheck="false" aria-describedby="handoff-expiry" data-handoff-link>
<button class="button secondary" type="button" data-handoff-copy>${m.t('capture.handoff.copy')}</button>
</div>
<p class="hint" id="handoff-expiry">${m.t('capture.handoff.expiry', { minutes: HANDOFF_SECONDS / 60 })}</p>
</div>
<p class="handoff-status" role="status" aria-live="polite" data-handoff-status></p>
<p class="hint">${m.t('capture.handoff.or_here')}</p>
</section>
`;
}

/**
 * Why the last attempt failed and what to do differently, from the session's `last_error.code`
 * (every code of domain/verification-checks.ts FAILURES has both), announced as the page opens.
 */
function retryNotice(retry: FailureCode | null | undefined, { m, businessMid }: Words): Html | null {
  if (!retry) return null;
  return html`<section class="notice retry" role="alert" aria-labelledby="retry-title">
<h2 id="retry-title">${m.t('retry.title')}</h2>
<p>${m.t(`retry.reason.${retry}`)}</p>
<p><strong>${m.t('retry.what_to_do')}</strong> ${m.t(`retry.advice.${retry}`, { business: businessMid })}</p>
</section>
`;
}

/** The business's privacy policy, when its profile names one, and how long what the person sends is kept. */
function dataKept(view: ViewOf<'consent'>, { m, business, businessMid }: Words): Html {
  const policy = view.branding?.privacyPolicyUrl;
  const link = policy !== undefined && isWebUrl(policy) ? policy : undefined;
  const days = view.retentionDays ?? null;
  return html`${
    link !== undefined &&
    html`<p>${m.formatHtml('consent.data.privacy_policy', {
      business,
      link: (chunks) => html`<a href="${link}">${chunks}</a>`,
    })}</p>
`
  }<p>${days !== null ? m.t('consent.data.retention', { days }) : m.t('consent.data.retention_unset', { business: businessMid })}</p>
`;
}

/**
 * A selfie is compared with the document's picture by face recognition: biometric data, which
 * GDPR art. 9(2)(a) allows to process only with explicit consent, and for which the Illinois
 * Biometric Information Privacy Act (740 ILCS 14/15(b)) asks that the person be told in writing
 * that it is collected, for what purpose and for how long. The page says all three before Accept.
 */
function biometricNotice({ m }: Words): Html {
  return html`<h2>${m.t('consent.biometric.title')}</h2>
<p>${m.t('consent.biometric.text')}</p>
<p>${m.t('consent.biometric.agree')}</p>
`;
}

function renderConfirmDecline(view: ViewOf<'confirm_decline'>, nonce: string): string {
  const words = wordsFor(view);
  const { m } = words;
  const title = m.t('decline.title');
  return documentPage(
    view,
    words,
    nonce,
    title,
    html`<h1>${title}</h1>
<p class="lead">${m.t('decline.text', { business: words.businessMid })}</p>
<form class="actions" method="post" action="${view.formAction}">
<button class="button primary" type="submit" name="consent" value="decline">${m.t('decline.confirm')}</button>
<a class="button secondary" href="${view.formAction}">${m.t('decline.back')}</a>
</form>`,
  );
}

/** While the checks run: said, announced, and looked at again every few seconds until a verdict or the limit. */
function renderProcessing(view: ViewOf<'processing'>, nonce: string): string {
  const words = wordsFor(view);
  const { m } = words;
  const slow = view.next === null;
  const title = slow ? m.t('processing.slow.title') : m.t('processing.title');
  return documentPage(
    view,
    words,
    nonce,
    title,
    html`<h1>${title}</h1>
<p class="lead" role="status">${slow ? m.t('processing.slow.text', { business: words.businessMid }) : m.t('processing.text')}</p>
${
  view.next !== null
    ? html`<p class="actions"><a class="button secondary" href="${view.next}" data-follow
 data-seconds="${view.checkSeconds}">${m.t('processing.check_again')}</a></p>`
    : returnLink(view.returnUrl, words)
}`,
    view.next !== null && FOLLOW_SCRIPT,
  );
}

function renderFinished(view: ViewOf<'finished'>, nonce: string): string {
  const words = wordsFor(view);
  const { m } = words;
  const business = words.business;
  const { title, message } = {
    submitted: { title: m.t('finished.submitted.title'), message: m.t('finished.submitted.text', { business }) },
    verified: { title: m.t('finished.verified.title'), message: m.t('finished.verified.text', { business }) },
    failed: { title: m.t('finished.failed.title'), message: m.t('finished.failed.text', { business: words.businessMid }) },
    declined: { title: m.t('finished.declined.title'), message: m.t('finished.declined.text') },
  }[view.outcome];
  // A verdict sends the person back to the business on its own; a failure stays, so its reason can be read.
  const follow = view.outcome === 'verified' && view.returnUrl !== null && isWebUrl(view.returnUrl);
  return documentPage(
    view,
    words,
    nonce,
    title,
    html`<h1>${title}</h1>
${view.outcome === 'failed' ? retryNotice(view.retry, words) : null}<p class="lead" role="status">${message}</p>
${returnLink(view.returnUrl, words, follow)}`,
    follow && FOLLOW_SCRIPT,
  );
}

function renderUnavailable(view: ViewOf<'unavailable'>, nonce: string): string {
  const words = wordsFor(view);
  const { m } = words;
  const title = m.t(`unavailable.${view.reason}.title`);
  const message = m.t(`unavailable.${view.reason}.text`, { business: words.businessMid });
  return documentPage(
    view,
    words,
    nonce,
    title,
    html`<h1>${title}</h1>
<p class="lead">${message}</p>
${returnLink(view.returnUrl, words)}`,
  );
}

/** The hosted verification page for a view. `nonce` must be the one in the response's CSP header. */
export function renderHostedPage(view: PageView, nonce: string): string {
  switch (view.kind) {
    case 'consent':
      return renderConsent(view, nonce);
    case 'capture':
      return renderCapture(view, nonce);
    case 'confirm_decline':
      return renderConfirmDecline(view, nonce);
    case 'processing':
      return renderProcessing(view, nonce);
    case 'finished':
      return renderFinished(view, nonce);
    case 'unavailable':
      return renderUnavailable(view, nonce);
  }
}
