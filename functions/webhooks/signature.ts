/**
 * Stripe's webhook signature: `Stripe-Signature: t=<unix seconds>,v1=<hex>`, where v1 is
 * HMAC-SHA256 of `${t}.${body}` keyed with the endpoint's whole secret string (`whsec_…` as
 * UTF-8), exactly what `stripe.webhooks.constructEvent` checks (stripe-node `Webhooks.js`).
 */
import { createHmac } from 'node:crypto';

/** The `Stripe-Signature` header for `body` sent at `timestamp` (epoch seconds). */
export function stripeSignatureHeader(body: string, secret: string, timestamp: number): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}
