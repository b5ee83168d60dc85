import { describe, expect, it } from 'vitest';
import {
  accentPalette,
  contrastRatio,
  embeddingAllowed,
  MIN_TEXT_CONTRAST,
  readEmbeddingOrigins,
  readPrimaryColor,
  readProfileName,
  readSupportEmail,
  readSupportUrl,
  relativeLuminance,
  updatedProfile,
} from '../../../functions/domain/account-profile';
import type { VerityError } from '../../../functions/domain/errors';
import { thrown } from '../../support/thrown';

const errorOf = (run: () => unknown) => thrown(run) as VerityError;

describe('name', () => {
  it('is trimmed and NFC-normalized, and counts characters, not UTF-16 units', () => {
    expect(readProfileName('  Northwind Outfitters \n')).toBe('Northwind Outfitters');
    expect(readProfileName('Cafe\u0301 Rouge')).toBe('Café Rouge');
    expect(readProfileName('🦊'.repeat(100))).toBe('🦊'.repeat(100));
    expect(readProfileName('x'.repeat(100))).toHaveLength(100);
  });

  it('has 1 to 100 characters', () => {
    for (const name of ['', '   ', 'x'.repeat(101), '🦊'.repeat(101)]) {
      expect(
        errorOf(() => readProfileName(name)),
        JSON.stringify(name),
      ).toMatchObject({ kind: 'invalid_parameter', code: 'parameter_invalid', param: 'name' });
    }
  });

  it('refuses control, line-separator and text-direction characters, and lone surrogates', () => {
    for (const name of [
      'Acme\u0000',
      'Ac\nme',
      'Ac\tme',
      'Acme\u007f',
      'Acme\u0085',
      'Acme\u2028Ltd',
      'Acme\u202eLtd',
      'Acme\u2066Ltd',
      'Acme\ud800',
    ]) {
      expect(errorOf(() => readProfileName(name)).param, JSON.stringify(name)).toBe('name');
    }
  });

  it('keeps characters a name may hold, markup included (the page escapes it)', () => {
    expect(readProfileName('<script>alert(1)</script> & "Sons"')).toBe('<script>alert(1)</script> & "Sons"');
    expect(readProfileName('👩\u200d💻 Studio')).toBe('👩\u200d💻 Studio');
  });
});

describe('support_email', () => {
  it('lowercases the domain and keeps the local part', () => {
    expect(readSupportEmail(' Help.Desk+id@Northwind.EXAMPLE ')).toBe('Help.Desk+id@northwind.example');
  });

  it('refuses what is not an address, or longer than 254 characters', () => {
    for (const email of [
      'help',
      'help@',
      '@northwind.example',
      'help@localhost',
      'help desk@northwind.example',
      'help@north wind.example',
      'a@b@c.example',
      'help@-north.example',
      `${'a'.repeat(250)}@b.example`,
      'help\n@northwind.example',
    ]) {
      expect(
        errorOf(() => readSupportEmail(email)),
        JSON.stringify(email),
      ).toMatchObject({ code: 'email_invalid', param: 'support_email' });
    }
  });
});

describe('support_url', () => {
  it('is the WHATWG serialization of an https URL', () => {
    expect(readSupportUrl('HTTPS://Help.Northwind.Example')).toBe('https://help.northwind.example/');
    expect(readSupportUrl('https://northwind.example/help?topic=id verification')).toBe(
      'https://northwind.example/help?topic=id%20verification',
    );
  });

  it('takes http only for this machine', () => {
    expect(readSupportUrl('http://localhost:3000/help')).toBe('http://localhost:3000/help');
    expect(readSupportUrl('http://127.0.0.1/help')).toBe('http://127.0.0.1/help');
    expect(errorOf(() => readSupportUrl('http://northwind.example/help'))).toMatchObject({ code: 'url_invalid', param: 'support_url' });
  });

  it('refuses other schemes, credentials, control characters and more than 2000 characters', () => {
    for (const url of [
      'javascript:alert(1)',
      'data:text/html,hi',
      'mailto:help@northwind.example',
      'northwind.example/help',
      'https://northwind.example@evil.example/',
      'https://user:pass@northwind.example/',
      'https://northwind.example/he\tlp',
      'https://northwind.example/\nhelp',
      `https://northwind.example/${'a'.repeat(2000)}`,
    ]) {
      expect(
        errorOf(() => readSupportUrl(url)),
        url,
      ).toMatchObject({ code: 'url_invalid', param: 'support_url' });
    }
  });
});

describe('primary_color', () => {
  it('is #rrggbb, lowercase; #rgb is widened', () => {
    expect(readPrimaryColor('#0A2540')).toBe('#0a2540');
    expect(readPrimaryColor(' #fC0 ')).toBe('#ffcc00');
  });

  it('refuses anything else, CSS that would escape a declaration included', () => {
    for (const color of [
      '0a2540',
      '#0a254',
      '#0a25400',
      'red',
      'rgb(0,0,0)',
      '#0a2540;}body{display:none',
      '#0a2540 !important',
      '#ggg',
      'var(--x)',
      '#0a\n2540',
    ]) {
      expect(
        errorOf(() => readPrimaryColor(color)),
        color,
      ).toMatchObject({ code: 'parameter_invalid', param: 'primary_color' });
    }
  });
});

describe('updatedProfile', () => {
  const logo = () => ({ id: 'logo_x', content_type: 'image/png' as const, width: 10, height: 10 });

  it('sets the given fields, removes the null ones and keeps the rest', () => {
    const current = { name: 'Old', support_email: 'a@b.example', primary_color: '#000000' };
    expect(updatedProfile(current, { name: ' New ', support_email: null, support_url: 'https://b.example' }, logo)).toEqual({
      name: 'New',
      primary_color: '#000000',
      support_url: 'https://b.example/',
    });
    expect(current.name).toBe('Old');
  });

  it('validates every field it sets', () => {
    expect(errorOf(() => updatedProfile({}, { primary_color: 'red' }, logo)).param).toBe('primary_color');
    expect(errorOf(() => updatedProfile({}, { support_url: 'http://evil.example' }, logo)).param).toBe('support_url');
  });

  it('turns a logo into its reference, and null removes it', () => {
    const image = { content_type: 'image/png' as const, width: 10, height: 10, data: Buffer.from('png') };
    expect(updatedProfile({}, { logo: image }, logo)).toEqual({ logo: logo() });
    expect(updatedProfile({ logo: logo() }, { logo: null }, logo)).toEqual({});
  });
});

describe('the page colours', () => {
  it('measures luminance and contrast as WCAG 2 does', () => {
    expect(relativeLuminance('#000000')).toBe(0);
    expect(relativeLuminance('#ffffff')).toBeCloseTo(1);
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });

  it('puts white text on a dark colour and black text on a light one', () => {
    expect(accentPalette('#0a2540')!.onAccent).toBe('#ffffff');
    expect(accentPalette('#fcd34d')!.onAccent).toBe('#000000');
    // Mid-grey: black reads better (5.3:1) than white (4.0:1).
    expect(accentPalette('#808080')!.onAccent).toBe('#000000');
  });

  it('keeps every text at 4.5:1 or better, whatever the colour', () => {
    for (let i = 0; i < 4096; i++) {
      const color = `#${[i >> 8, (i >> 4) & 15, i & 15].map((d) => (d * 17).toString(16).padStart(2, '0')).join('')}`;
      const palette = accentPalette(color)!;
      expect(contrastRatio(palette.accent, palette.onAccent), color).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
      expect(contrastRatio(palette.accentHover, palette.onAccent), color).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
      expect(contrastRatio(palette.accentText, '#ffffff'), color).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
      expect(contrastRatio(palette.accentText, palette.accentSoft), color).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
    }
  });

  it('keeps a colour that already reads on white, and darkens a light one for text', () => {
    expect(accentPalette('#0a2540')).toMatchObject({ accent: '#0a2540', accentText: '#0a2540' });
    const yellow = accentPalette('#fcd34d')!;
    expect(yellow.accent).toBe('#fcd34d');
    expect(relativeLuminance(yellow.accentText)).toBeLessThan(relativeLuminance('#fcd34d'));
  });

  it('is made only of a normalized colour: anything else gives no palette', () => {
    for (const color of [undefined, '#FFF', '#0A2540', 'red', '#0a2540;}body{display:none}', '#0a2540 '])
      expect(accentPalette(color), color).toBeUndefined();
  });
});

describe('embedding_origins', () => {
  it('are origins only, normalized and deduplicated; https, or http on a loopback host', () => {
    expect(readEmbeddingOrigins(' https://Shop.example, https://shop.example:443/ http://localhost:5173 ')).toBe(
      'https://shop.example http://localhost:5173',
    );
    for (const bad of [
      'http://shop.example',
      'https://shop.example/checkout',
      'https://u:p@shop.example',
      'https://shop.example?x',
      'shop',
    ]) {
      expect(() => readEmbeddingOrigins(bad), bad).toThrow(expect.objectContaining({ code: 'url_invalid', param: 'embedding_origins' }));
    }
    const eleven = Array.from({ length: 11 }, (_, i) => `https://s${i}.example`).join(' ');
    expect(() => readEmbeddingOrigins(eleven)).toThrow(/1 to 10 origins/);
  });

  it('allow https origins the profile lists; loopback only in test mode, listed or on a local service', () => {
    const profile = { embedding_origins: 'https://shop.example http://localhost:5173' };
    expect(embeddingAllowed(profile, 'live', 'https://shop.example', false)).toBe(true);
    expect(embeddingAllowed(profile, 'live', 'https://evil.example', false)).toBe(false);
    expect(embeddingAllowed(profile, 'live', 'http://localhost:5173', true)).toBe(false);
    expect(embeddingAllowed(profile, 'test', 'http://localhost:5173', false)).toBe(true);
    expect(embeddingAllowed(profile, 'test', 'http://localhost:3000', false)).toBe(false);
    expect(embeddingAllowed(undefined, 'test', 'http://127.0.0.1:3000', true)).toBe(true);
    expect(embeddingAllowed(undefined, 'test', 'http://shop.example', true)).toBe(false);
    expect(embeddingAllowed(undefined, 'live', 'http://127.0.0.1:3000', true)).toBe(false);
  });
});

describe('privacy_policy_url and default_locale', () => {
  const logo = () => {
    throw new Error('no logo here');
  };

  it('takes an https privacy policy, normalized, and refuses anything else naming its own field', () => {
    expect(updatedProfile({}, { privacy_policy_url: 'https://Shop.example/privacy' }, logo)).toEqual({
      privacy_policy_url: 'https://shop.example/privacy',
    });
    expect(errorOf(() => updatedProfile({}, { privacy_policy_url: 'http://shop.example/privacy' }, logo))).toMatchObject({
      code: 'url_invalid',
      param: 'privacy_policy_url',
    });
  });

  it('takes a page language as the default, spelled as the page spells it, and refuses one it does not have', () => {
    expect(updatedProfile({}, { default_locale: 'JA' }, logo)).toEqual({ default_locale: 'ja' });
    expect(updatedProfile({ default_locale: 'ja' }, { default_locale: null }, logo)).toEqual({});
    expect(errorOf(() => updatedProfile({}, { default_locale: 'tlh' }, logo))).toMatchObject({
      code: 'parameter_invalid',
      param: 'default_locale',
    });
  });
});
