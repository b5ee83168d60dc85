/**
 * The business's public profile on the verification page, over HTTP: the page names the business,
 * shows its logo (served by Verity, under the page's CSP) and colours, and falls back to the
 * host of return_url without a profile; nothing of it shows before the link is proven.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logoId, readLogoImage } from '../../functions/domain/logo-image';
import { updateAccountProfile } from '../../functions/store/account-profiles';
import { dynamo } from '../../functions/store/client';
import { accountProfileKey, tableName } from '../../functions/store/schema';
import type { LocalRuntime } from '../../local/runtime';
import { pngImage } from '../support/images';
import { newStripeAccount, startService } from '../support/local-service';

let service: LocalRuntime;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.stop());

const open = (path: string, init: RequestInit = {}) => fetch(`${service.url}${path}`, { redirect: 'manual', ...init });
const pageOf = async (
  stripe: Stripe,
  params: Stripe.Identity.VerificationSessionCreateParams = { type: 'document', return_url: 'https://shop.example.com/done' },
) => {
  const session = await stripe.identity.verificationSessions.create(params);
  return new URL(session.url!).pathname;
};

describe('the business profile on the verification page', () => {
  it('names the business, shows its logo and colours, and says how to reach it', async () => {
    const { stripe, scope } = await newStripeAccount(service);
    const logo = readLogoImage(pngImage(96, 48));
    await updateAccountProfile(
      scope.account,
      { name: 'Northwind Outfitters', primary_color: '#0f766e', support_email: 'help@northwind.example', logo },
      new Date(),
    );
    const response = await open(await pageOf(stripe));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<span class="brand-name">Northwind Outfitters</span>');
    expect(html).toContain('Northwind Outfitters asks you to confirm your identity.');
    expect(html).not.toContain('shop.example.com');
    expect(html).toContain('--accent: #0f766e;');
    expect(html).toContain('href="mailto:help@northwind.example"');
    const src = /<img class="brand-logo" src="([^"]+)" width="96" height="48"/.exec(html)![1]!;
    expect(src).toBe(`/branding/logos/${logoId(scope.account, logo.data)}`);
    // The page's CSP lets it load from its own host only, and the logo is there.
    expect(response.headers.get('content-security-policy')).toContain("img-src 'self'");

    const image = await open(src);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('x-content-type-options')).toBe('nosniff');
    expect(image.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(image.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(image.headers.get('request-id')).toMatch(/^req_/);
    expect(Buffer.from(await image.arrayBuffer()).equals(logo.data)).toBe(true);
  });

  it('names the business by the host of return_url without a profile, as before, in both modes', async () => {
    for (const mode of ['test', 'live'] as const) {
      const { stripe } = await newStripeAccount(service, mode);
      const html = await (await open(await pageOf(stripe))).text();
      // Live mode has no checks provider yet: its page says so, naming the business.
      expect(html).toContain(mode === 'test' ? 'shop.example.com asks you to confirm your identity.' : 'contact shop.example.com');
      expect(html).not.toContain('class="brand');
    }
  });

  it('shows one profile in test and live mode alike', async () => {
    const { stripe, scope } = await newStripeAccount(service, 'test');
    const live = await newStripeAccount(service, 'live', scope.account);
    await updateAccountProfile(scope.account, { name: 'Both Modes Ltd' }, new Date());
    expect(await (await open(await pageOf(stripe))).text()).toContain('Both Modes Ltd asks you');
    expect(await (await open(await pageOf(live.stripe))).text()).toContain('contact Both Modes Ltd');
  });

  it('shows nothing of the profile on the generic page of an unproven link', async () => {
    const { stripe, scope } = await newStripeAccount(service);
    await updateAccountProfile(scope.account, { name: 'Secretive Corp', logo: readLogoImage(pngImage(8, 8)) }, new Date());
    const path = await pageOf(stripe);
    const forged = path.slice(0, -4) + (path.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const response = await open(forged);
    expect(response.status).toBe(410);
    const html = await response.text();
    expect(html).not.toContain('Secretive Corp');
    expect(html).not.toContain('/branding/');
  });

  it('escapes a hostile name, and keeps a colour that is not a hex colour out of the style sheet even if one is stored', async () => {
    const { stripe, scope } = await newStripeAccount(service);
    // Written around the store's validation, as an older or foreign writer might have.
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...accountProfileKey(scope.account),
          account: scope.account,
          revision: 1,
          name: '<script>alert(1)</script>',
          primary_color: 'red;} body { --injected: 1 } :root {',
        },
      }),
    );
    const html = await (await open(await pageOf(stripe))).text();
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; asks you to confirm your identity.');
    expect(html).not.toContain('--injected');
  });

  it("answers an unknown or malformed logo id with 404 in Stripe's shape, uncached", async () => {
    for (const id of [`logo_${'A'.repeat(43)}`, 'logo_x', '..%2F..%2Fetc', 'vs_0000abcdEFGHijklMNOPqrst']) {
      const response = await open(`/branding/logos/${id}`);
      expect(response.status, id).toBe(404);
      expect(response.headers.get('cache-control')).toBe('no-cache, no-store');
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('resource_missing');
    }
  });
});
