import { describe, expect, it } from 'vitest';
import { pageBranding } from '../../../functions/hosted-page/branding';
import { HOSTED_PAGE_SCRIPT as PAGE_SCRIPT } from '../../../functions/browser-bundles/hosted-page';
import { SCRIPT_MESSAGE_KEYS } from '../../../functions/hosted-page/script-messages';
import { ENGLISH } from '../../../functions/hosted-page/messages';
import { renderHostedPage } from '../../../functions/hosted-page/render';
import type { PageRequirements, PageView, TestCaseOption } from '../../../functions/hosted-page/view';

const NONCE = 'rAnd0mNonce';

const requirements = (overrides: Partial<PageRequirements> = {}): PageRequirements => ({
  sessionType: 'document',
  documentTypes: ['driving_license', 'id_card', 'passport'],
  document: true,
  selfie: false,
  idNumber: false,
  liveCapture: false,
  ...overrides,
});

const testCases: TestCaseOption[] = [{ id: 'verified' }, { id: 'document_expired' }, { id: 'selfie_face_mismatch' }];

const consent = (overrides: Partial<Extract<PageView, { kind: 'consent' }>> = {}): PageView => ({
  kind: 'consent',
  business: 'shop.example.com',
  mode: 'live',
  requirements: requirements(),
  formAction: '/v1/hosted/vs_1/consent',
  ...overrides,
});

const capture = (overrides: Partial<Extract<PageView, { kind: 'capture' }>> = {}): PageView => ({
  kind: 'capture',
  business: 'shop.example.com',
  mode: 'live',
  requirements: requirements(),
  submitUrl: '/v1/hosted/vs_1/submit',
  testCases: [],
  delaySeconds: 10,
  ...overrides,
});

const finished = (outcome: 'submitted' | 'declined', returnUrl: string | null = 'https://shop.example.com/done'): PageView => ({
  kind: 'finished',
  business: 'shop.example.com',
  mode: 'live',
  outcome,
  returnUrl,
});

const unavailable = (reason: Extract<PageView, { kind: 'unavailable' }>['reason'], returnUrl: string | null = null): PageView => ({
  kind: 'unavailable',
  business: 'shop.example.com',
  mode: 'live',
  reason,
  returnUrl,
});

const render = (view: PageView) => renderHostedPage(view, NONCE);

/** Markup with the contents of <script> and <style> removed: what is left is tags and text. */
const markupOnly = (page: string) =>
  page.replace(/(<script\b[^>]*>)[\s\S]*?(<\/script>)/g, '$1$2').replace(/(<style\b[^>]*>)[\s\S]*?(<\/style>)/g, '$1$2');

/** The attributes of every `<name …>` tag in the page's markup. */
function tags(page: string, name: string): Record<string, string>[] {
  return [...markupOnly(page).matchAll(new RegExp(`<${name}\\b([^>]*)>`, 'g'))].map(([, attributes]) =>
    Object.fromEntries([...attributes!.matchAll(/([\w-]+)(?:="([^"]*)")?/g)].map(([, key, value]) => [key!, value ?? ''])),
  );
}

/** The page's visible text, roughly: tags removed, entities left as they are. */
const text = (page: string) =>
  markupOnly(page)
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');

const listItems = (page: string) => [...page.matchAll(/<li>([\s\S]*?)<\/li>/g)].map(([, item]) => item!);

const allViews: [string, PageView][] = [
  ['consent', consent()],
  ['capture', capture()],
  [
    'capture in test mode',
    capture({ mode: 'test', testCases, requirements: requirements({ selfie: true, idNumber: true, liveCapture: true }) }),
  ],
  [
    'capture for an id_number session',
    capture({ requirements: requirements({ sessionType: 'id_number', documentTypes: [], document: false, idNumber: true }) }),
  ],
  ['finished, submitted', finished('submitted')],
  ['finished, declined', finished('declined', null)],
  ['unavailable, link expired', unavailable('link_expired')],
  ['unavailable, session closed', unavailable('session_closed', 'https://shop.example.com/')],
  ['unavailable, live checks', unavailable('live_checks_unavailable')],
];

describe('every view is a complete, accessible document', () => {
  it.each(allViews)('%s', (_name, view) => {
    const page = render(view);
    expect(page).toMatch(/^<!DOCTYPE html>\s*<html lang="en" dir="ltr">/);
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toMatch(/<title>[^<]+<\/title>/);
    expect(page.match(/<main>/g)).toHaveLength(1);
    expect(page.match(/<h1>/g)).toHaveLength(1);
    expect(page.trimEnd()).toMatch(/<\/html>$/);
  });
});

describe('headings', () => {
  it.each([
    [consent(), 'Verify your identity'],
    [capture(), 'Add your documents'],
    [
      capture({ requirements: requirements({ sessionType: 'id_number', documentTypes: [], document: false, idNumber: true }) }),
      'Enter your ID number',
    ],
    [finished('submitted'), 'Thank you'],
    [finished('declined'), 'You declined'],
    [unavailable('link_expired'), 'This link has expired or was already used'],
    [unavailable('session_closed'), 'This verification is no longer open'],
    [unavailable('live_checks_unavailable'), 'Verification isn&#39;t available yet'],
  ] as const)('%#: %s', (view, heading) => {
    expect(render(view)).toContain(`<h1>${heading}</h1>`);
  });
});

describe('the consent step', () => {
  it('posts to the form action with an accept and a decline button, without needing a script', () => {
    const page = render(consent());
    expect(tags(page, 'form')).toEqual([{ class: 'actions', method: 'post', action: '/v1/hosted/vs_1/consent' }]);
    expect(page).toMatch(/<button class="button primary" type="submit" name="consent" value="accept">Accept and continue<\/button>/);
    expect(page).toMatch(/<button class="button secondary" type="submit" name="consent" value="ask_decline">Decline<\/button>/);
    expect(page).not.toContain('<script');
  });

  it('names the business in a plain sentence', () => {
    expect(text(render(consent()))).toContain('shop.example.com asks you to confirm your identity.');
  });

  it('lists only a document when nothing else is asked', () => {
    expect(listItems(render(consent()))).toEqual(['A photo of the front and back of your driving licence, ID card, or passport']);
  });

  it('lists the selfie, the ID number and live capture when they are asked', () => {
    const items = listItems(render(consent({ requirements: requirements({ selfie: true, idNumber: true, liveCapture: true }) })));
    expect(items).toEqual([
      'A photo of the front and back of your driving licence, ID card, or passport',
      'A selfie, to match your face with the photo on your document',
      'Your ID number (the last 4 digits, or all 9 digits, of your United States Social Security number)',
      'Photos must be taken with your device&#39;s camera',
    ]);
  });

  it('names only the allowed documents', () => {
    const items = listItems(render(consent({ requirements: requirements({ documentTypes: ['driving_license', 'id_card'] }) })));
    expect(items).toEqual(['A photo of the front and back of your driving licence or ID card']);
  });

  it('asks for no back side when only passports are allowed', () => {
    const page = render(consent({ requirements: requirements({ documentTypes: ['passport'] }) }));
    expect(listItems(page)).toEqual(['A photo of the page of your passport that shows your picture']);
    expect(text(page)).not.toMatch(/back/i);
  });

  it('asks only for the ID number in an id_number session', () => {
    const page = render(
      consent({ requirements: requirements({ sessionType: 'id_number', documentTypes: [], document: false, idNumber: true }) }),
    );
    expect(listItems(page)).toEqual(['Your ID number (the last 4 digits, or all 9 digits, of your United States Social Security number)']);
  });

  it('lowercases the fallback business name in the middle of a sentence', () => {
    const page = text(render(consent({ business: null })));
    expect(page).toContain('The business that sent you here asks you to confirm your identity.');
    expect(page).toContain('nothing is checked and the business that sent you here is told that you declined');
  });
});

describe('the capture step', () => {
  const inputs = (page: string) => tags(page, 'input');
  const input = (page: string, id: string) => inputs(page).find((attributes) => attributes.id === id);

  it('offers the allowed document types, the first one chosen', () => {
    const radios = inputs(render(capture({ requirements: requirements({ documentTypes: ['id_card', 'passport'] }) }))).filter(
      (attributes) => attributes.name === 'document_type',
    );
    expect(radios.map((radio) => [radio.value, 'checked' in radio])).toEqual([
      ['id_card', true],
      ['passport', false],
    ]);
  });

  it('sends a single allowed type without asking, and leaves out the back side for passports', () => {
    const page = render(capture({ requirements: requirements({ documentTypes: ['passport'] }) }));
    expect(inputs(page).filter((attributes) => attributes.name === 'document_type')).toEqual([
      { type: 'hidden', name: 'document_type', value: 'passport' },
    ]);
    expect(input(page, 'document_front')).toBeDefined();
    expect(input(page, 'document_back')).toBeUndefined();
  });

  it('renders the back side hidden and disabled when a passport is the first choice', () => {
    const page = render(capture({ requirements: requirements({ documentTypes: ['passport', 'id_card'] }) }));
    expect(input(page, 'document_back')).toHaveProperty('disabled');
    expect(page).toMatch(/<div class="field photo-field" data-field data-back-side hidden>/);
  });

  it('offers the in-page camera first and a file as well, stating the formats and limits before choosing', () => {
    const page = render(capture({ requirements: requirements({ selfie: true }) }));
    const files = inputs(page).filter((attributes) => attributes.type === 'file');
    expect(files.map((file) => file.name)).toEqual(['document_front', 'document_back', 'selfie']);
    for (const file of files) {
      // The types submit takes; the capture attribute (the phone's own camera app) only for live capture.
      expect(file.accept).toBe('image/jpeg,image/png');
      expect(file).not.toHaveProperty('capture');
      expect(file['aria-describedby']).toContain(`${file.name}-formats`);
    }
    expect(page.match(/>Use camera<\/button>/g)).toHaveLength(3);
    expect(page.match(/Or choose a photo: JPEG or PNG, at most 10 MB and 10,000 pixels on a side\./g)).toHaveLength(3);
    // The camera shows a card frame for the document's sides and an oval for the selfie.
    expect(page.match(/class="camera-frame camera-frame-card"/g)).toHaveLength(2);
    expect(page.match(/class="camera-frame camera-frame-face"/g)).toHaveLength(1);
    expect(markupOnly(page).indexOf('Use camera')).toBeLessThan(markupOnly(page).indexOf('<input type="file"'));
  });

  it('offers only the camera when live capture is required: no file picker, a phone as the way on', () => {
    const page = render(capture({ requirements: requirements({ selfie: true, liveCapture: true }) }));
    // No file input on any device (not even `capture`, whose camera app also offers the gallery).
    expect(markupOnly(page)).not.toMatch(/<input[^>]*type="file"/);
    expect(page).not.toContain('Or choose a photo');
    for (const name of ['document_front', 'document_back', 'selfie']) expect(input(page, name)?.type, name).toBe('hidden');
    expect(page.match(/data-facing="environment"/g)).toHaveLength(2);
    expect(page.match(/data-facing="user"/g)).toHaveLength(1);
    expect(page.match(/>Use camera<\/button>/g)).toHaveLength(3);
    expect(page.match(/<video\b/g)).toHaveLength(3);
    expect(text(page)).toContain('This verification needs photos taken now with your camera: files cannot be used.');
    expect(text(page)).toContain('No camera on this device? Open this same link on a phone with a camera to continue.');
    expect(page).toMatch(/<form id="capture-form"[^>]* data-live-only/);
  });

  it('keeps the file picker when live capture is not required', () => {
    const page = render(capture({ requirements: requirements({ selfie: true, liveCapture: false }) }));
    expect(markupOnly(page).match(/<input[^>]*type="file"/g)).toHaveLength(3);
    expect(markupOnly(page)).not.toContain(' data-live-only');
  });

  it('has no selfie and no ID number fields unless they are asked', () => {
    const page = render(capture());
    expect(input(page, 'selfie')).toBeUndefined();
    expect(input(page, 'id_number')).toBeUndefined();
  });

  it('describes the ID number as the submission accepts it: the last 4 digits or all 9', () => {
    const page = render(capture({ requirements: requirements({ idNumber: true }) }));
    expect(text(page)).toContain('Enter the last 4 digits, or all 9 digits, of your United States Social Security number.');
  });

  it('asks for the ID number with a numeric keyboard and no autocomplete', () => {
    const idNumber = input(render(capture({ requirements: requirements({ idNumber: true }) })), 'id_number');
    expect(idNumber).toMatchObject({ type: 'text', name: 'id_number', inputmode: 'numeric', autocomplete: 'off' });
  });

  it('marks every field required in live mode', () => {
    const page = render(capture({ requirements: requirements({ selfie: true, idNumber: true }) }));
    for (const id of ['document_front', 'document_back', 'selfie', 'id_number']) expect(input(page, id)).toHaveProperty('required');
  });

  it('gives the script what it needs in the form markup, and leaves the button off until the script runs', () => {
    const page = render(capture({ submitUrl: '/v1/hosted/vs_1/submit?x=1&y=2' }));
    expect(tags(page, 'form')).toEqual([
      expect.objectContaining({
        id: 'capture-form',
        novalidate: '',
        'data-submit-url': '/v1/hosted/vs_1/submit?x=1&amp;y=2',
        'data-mode': 'live',
        'data-max-bytes': String(10 * 1024 * 1024),
        'data-max-side': '10000',
        'data-message-submitting': 'Submitting…',
        'data-message-network-error': 'Could not reach the server. Check your connection and try again.',
        // Submit's own words for a refused photo; the sizes the script knows are left for it to fill in.
        'data-message-unreadable': 'This photo could not be read. Take it again as a JPEG or PNG image.',
        'data-message-too-many-pixels':
          'This photo is too large ({width}×{height} pixels; at most {max} pixels on a side). Take it again at a lower resolution.',
      }),
    ]);
    // Every word the script shows is in the markup.
    const [form] = tags(page, 'form');
    for (const key of SCRIPT_MESSAGE_KEYS) expect(form![`data-message-${key.replace(/_/g, '-')}`]).toMatch(/\S/);
    expect(page).toMatch(/<button class="button primary" type="submit" data-submit disabled>Submit<\/button>/);
    expect(page).toMatch(/<noscript>[^<]*<p class="notice">This page needs JavaScript to take and send your photos\./);
  });

  it('has an error region that is announced', () => {
    expect(tags(render(capture()), 'div').find((attributes) => attributes.id === 'form-error')).toMatchObject({
      role: 'alert',
      'aria-live': 'assertive',
    });
  });

  it('offers no test outcomes in live mode', () => {
    const page = markupOnly(render(capture()));
    expect(page).not.toContain('test_case');
    expect(page).not.toContain('delay');
    expect(page).not.toContain('Test mode');
  });
});

describe('test mode', () => {
  const testCapture = capture({ mode: 'test', testCases, delaySeconds: 10, requirements: requirements({ selfie: true, idNumber: true }) });

  it('offers the test cases in one labelled select, the first one chosen, its description shown below', () => {
    const page = render(testCapture);
    // One control, however many outcomes: on a phone the submit button stays near.
    expect(tags(page, 'input').filter((attributes) => attributes.name === 'test_case')).toEqual([]);
    expect(tags(page, 'select')).toEqual([
      expect.objectContaining({
        id: 'test_case',
        name: 'test_case',
        'aria-describedby': 'test_case-hint test_case-description test_case-error',
      }),
    ]);
    expect(tags(page, 'option').map((option) => [option.value, 'selected' in option, option['data-description']])).toEqual([
      ['verified', true, 'Every check passes; the session becomes verified with sample data.'],
      ['document_expired', false, 'Your document has expired. The session asks for input again.'],
      ['selfie_face_mismatch', false, 'Your selfie did not match the picture on your document. The session asks for input again.'],
    ]);
    expect(page).toMatch(/<label class="field-label" for="test_case">Choose a test outcome<\/label>/);
    expect(page).toContain(
      '<p class="hint outcome-description" id="test_case-description" aria-live="polite" data-test-case-description>' +
        'Every check passes; the session becomes verified with sample data.</p>',
    );
    expect(text(page)).toContain('selfie_face_mismatch');
  });

  it('offers the processing delay with its length', () => {
    const page = render(testCapture);
    expect(tags(page, 'input').find((attributes) => attributes.id === 'delay')).toEqual({ type: 'checkbox', id: 'delay', name: 'delay' });
    expect(text(page)).toContain('Simulate a processing delay of 10 seconds');
  });

  it('says the photos and the ID number are optional, and marks nothing required', () => {
    const page = render(testCapture);
    expect(text(page)).toContain('Photos and the ID number are optional in test mode.');
    expect(markupOnly(page)).not.toMatch(/\srequired[\s>]/);
  });

  it.each([
    ['consent', consent({ mode: 'test' })],
    ['capture', testCapture],
    ['finished', { ...finished('submitted'), mode: 'test' } as PageView],
    ['unavailable', { ...unavailable('link_expired'), mode: 'test' } as PageView],
  ])('shows the test mode banner on the %s view', (_name, view) => {
    expect(render(view)).toMatch(/<div class="test-banner" role="note"><strong>Test mode<\/strong>/);
  });
});

describe('the finished and unavailable views', () => {
  it('thanks the person and links back to the business', () => {
    const page = render(finished('submitted'));
    expect(text(page)).toContain('Your documents were submitted. shop.example.com will let you know the result.');
    expect(tags(page, 'a')).toEqual([{ class: 'button primary', href: 'https://shop.example.com/done' }]);
    expect(page).toContain('>Return to shop.example.com</a>');
  });

  it('confirms a decline, without a link when there is no return URL', () => {
    const page = render(finished('declined', null));
    expect(text(page)).toContain('You declined to be verified. You can close this page.');
    expect(page).not.toContain('<a ');
  });

  it('tells the person whom to ask for a new link', () => {
    expect(text(render(unavailable('link_expired')))).toContain('Ask shop.example.com for a new link.');
    expect(text(render({ ...unavailable('link_expired'), business: null }))).toContain(
      'Ask the business that sent you here for a new link.',
    );
  });

  it('explains that live verification is not set up', () => {
    expect(text(render(unavailable('live_checks_unavailable')))).toContain('has not set up live verification');
  });

  it('links back when there is a return URL', () => {
    expect(tags(render(unavailable('session_closed', 'https://shop.example.com/')), 'a')).toEqual([
      { class: 'button primary', href: 'https://shop.example.com/' },
    ]);
  });

  it('never makes a link of a URL that is not a web address', () => {
    expect(render(finished('submitted', 'javascript:alert(1)'))).not.toContain('<a ');
  });
});

describe('escaping', () => {
  const hostile = '<script>alert(1)</script> "Quotes" & Sons';
  const hostileUrl = 'https://shop.example.com/back?a=1&b="><script>alert(2)</script>';

  it.each([
    ['consent', consent({ business: hostile, formAction: hostileUrl })],
    [
      'capture',
      capture({
        business: hostile,
        submitUrl: hostileUrl,
        mode: 'test',
        testCases: [{ id: 'verified' }],
        branding: { header: true },
      }),
    ],
    [
      'capture for an id_number session',
      capture({ business: hostile, requirements: requirements({ document: false, documentTypes: [], idNumber: true }) }),
    ],
    ['finished', { ...finished('submitted', hostileUrl), business: hostile } as PageView],
    ['unavailable', { ...unavailable('link_expired', hostileUrl), business: hostile } as PageView],
  ])('escapes business names, labels and URLs on the %s view', (_name, view) => {
    const page = render(view);
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('"Quotes"');
    expect(page).not.toContain('& Sons');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot;Quotes&quot; &amp; Sons');
    if (view.kind !== 'capture' || view.requirements.document) {
      expect(page).toContain('https://shop.example.com/back?a=1&amp;b=&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    }
  });

  it('escapes the nonce', () => {
    const page = renderHostedPage(capture(), 'a"b<c');
    expect(page).toContain('<style nonce="a&quot;b&lt;c">');
    expect(page).not.toContain('a"b');
  });
});

describe('what the content security policy allows', () => {
  it('carries the nonce on the one style and the one script', () => {
    const page = render(capture({ mode: 'test', testCases }));
    expect(tags(page, 'style')).toEqual([{ nonce: NONCE }]);
    expect(tags(page, 'script')).toEqual([{ nonce: NONCE }]);
    expect(page).toContain(PAGE_SCRIPT);
  });

  it.each(allViews)('has no inline style or handler attributes, and loads nothing from elsewhere: %s', (_name, view) => {
    const markup = markupOnly(render(view));
    expect(markup).not.toMatch(/<[^>]*\sstyle=/i);
    expect(markup).not.toMatch(/<[^>]*\son[a-z]+=/i);
    expect(markup).not.toMatch(/<(iframe|object|embed|img[^>]*\ssrc=)/i);
    // The one link is the icon, inline: a page that names none makes the browser ask for /favicon.ico.
    expect(tags(markup, 'link')).toEqual([{ rel: 'icon', href: expect.stringMatching(/^data:image\/svg\+xml,%3Csvg%20/) }]);
    expect(markup).not.toMatch(/<script[^>]*\ssrc=/i);
  });

  it('ships a script that parses, and that is not closed early by its own text', () => {
    expect(() => new Function(PAGE_SCRIPT)).not.toThrow();
    expect(PAGE_SCRIPT).not.toMatch(/<\/script/i);
  });

  it('sends the fields the server reads', () => {
    // The image fields are sent under their inputs' names, which the capture tests check; the
    // bundle is minified, so the properties are matched as esbuild writes them.
    for (const field of ['.document_type=', '.id_number=', '.test_case=', '.delay=', '.redirect_url', '.param']) {
      expect(PAGE_SCRIPT).toContain(field);
    }
    expect(PAGE_SCRIPT).toContain('credentials:"same-origin"');
    expect(PAGE_SCRIPT).toContain('"content-type":"application/json"');
    // Its texts come from the markup (the page's language), none from the bundle.
    for (const id of ['script.sending', 'script.guide_blurry', 'photo.unreadable', 'script.network_error'] as const) {
      expect(PAGE_SCRIPT).not.toContain(ENGLISH.t(id));
    }
  });
});

describe('labels', () => {
  it.each(allViews)('every input and select with an id has a label, and every visible one has an id: %s', (_name, view) => {
    const page = render(view);
    const labelled = new Set(tags(page, 'label').map((label) => label.for));
    for (const input of [...tags(page, 'input'), ...tags(page, 'select')]) {
      if (input.type === 'hidden') continue;
      expect(input.id, JSON.stringify(input)).toBeTruthy();
      expect(labelled.has(input.id), `label for ${input.id}`).toBe(true);
    }
  });

  it('groups radio buttons in a fieldset with a legend', () => {
    const page = render(capture({ mode: 'test', testCases }));
    const fieldsets = [...page.matchAll(/<fieldset\b[^>]*>([\s\S]*?)<\/fieldset>/g)].map(([, inside]) => inside!);
    expect(fieldsets).toHaveLength(1);
    for (const inside of fieldsets) expect(inside).toMatch(/^\s*<legend\b/);
    const radiosInFieldsets = fieldsets.join('').match(/type="radio"/g)?.length;
    expect(radiosInFieldsets).toBe(page.match(/type="radio"/g)?.length);
  });
});

describe('the business profile', () => {
  const branding = pageBranding({
    name: 'Northwind Outfitters',
    primary_color: '#0f766e',
    support_email: 'help?cc=everyone@northwind.example',
    support_url: 'https://help.northwind.example/identity',
    logo: { id: `logo_${'a'.repeat(43)}`, content_type: 'image/png', width: 96, height: 48 },
  })!;
  const branded: [string, PageView][] = allViews.map(([name, view]) => [
    name,
    { ...view, business: 'Northwind Outfitters', branding } as PageView,
  ]);

  it.each(branded)('opens the %s page with the name and the logo, served from this host', (_name, view) => {
    const page = render(view);
    expect(markupOnly(page)).toContain('<header class="brand">');
    expect(tags(page, 'img').filter((img) => img.class === 'brand-logo')).toEqual([
      { class: 'brand-logo', src: `/branding/logos/logo_${'a'.repeat(43)}`, width: '96', height: '48', alt: '' },
    ]);
    // First in the card, after the test banner.
    expect(text(page.slice(page.indexOf('<body>')))).toMatch(
      /^ ?(Test mode This is a test\. Nothing you send is really checked\. )?Northwind Outfitters /,
    );
  });

  it.each(branded)(
    "gives the %s page the colours of the profile in its nonce'd style, and says how to reach the business",
    (_name, view) => {
      const page = render(view);
      expect(page).toContain(
        `:root { --accent: #0f766e; --accent-hover: ${branding.palette!.accentHover}; --accent-soft: ${branding.palette!.accentSoft}; ` +
          `--accent-text: ${branding.palette!.accentText}; --on-accent: #ffffff; }`,
      );
      expect(tags(page, 'style')).toEqual([{ nonce: NONCE }]);
      const links = tags(page, 'a').map((a) => a.href);
      // The local part is encoded: a `?` in it cannot add headers (cc, body) to the message.
      expect(links).toContain('mailto:help%3Fcc%3Deveryone@northwind.example');
      expect(links).toContain('https://help.northwind.example/identity');
      expect(text(page)).toContain('Questions? Write to help?cc=everyone@northwind.example or visit help.northwind.example .');
    },
  );

  it('shows no header, colours or support line without a profile, as before', () => {
    for (const [, view] of allViews) {
      const page = render(view);
      expect(page).not.toContain('class="brand');
      expect(page).not.toContain('class="support"');
      expect(page).not.toMatch(/:root \{ --accent: /);
    }
  });

  it('shows a name without a logo, and no header for a profile with only a colour', () => {
    const named = render(consent({ business: 'Northwind', branding: pageBranding({ name: 'Northwind' }) }));
    expect(markupOnly(named)).toContain('<header class="brand">\n\n<span class="brand-name">Northwind</span>');
    expect(tags(named, 'img')).toEqual([]);
    expect(render(consent({ branding: pageBranding({ primary_color: '#fcd34d' }) }))).not.toContain('class="brand');
  });

  it('escapes a hostile name in the header as everywhere', () => {
    const hostile = '<script>alert(1)</script> "Quotes" & Sons';
    const page = render(consent({ business: hostile, branding: pageBranding({ name: hostile }) }));
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('<span class="brand-name">&lt;script&gt;alert(1)&lt;/script&gt; &quot;Quotes&quot; &amp; Sons</span>');
  });

  it('lets nothing but hex colours into the style sheet, whatever the view holds', () => {
    const injected = {
      accent: '#000000;} body { --injected: 1 } :root {',
      onAccent: '#ffffff',
      accentHover: '#000000',
      accentSoft: '#ffffff',
      accentText: '#000000',
    };
    const page = render(consent({ branding: { header: false, palette: injected } }));
    expect(page).not.toContain('--injected');
    expect(page).not.toMatch(/:root \{ --accent: /);
  });

  it('makes no link of a support URL that is not a web address', () => {
    const page = render(consent({ branding: { header: false, supportUrl: 'javascript:alert(1)' } }));
    expect(tags(page, 'a')).toEqual([]);
    expect(page).not.toContain('javascript:');
  });
});
