import { afterEach, describe, expect, it } from 'vitest';
import { checkEndpointUrl, isPublicAddress, PRIVATE_ADDRESSES_ALLOWED } from '../../../functions/webhooks/endpoint-url';

describe('isPublicAddress', () => {
  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd00:ec2::254',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '::ffff:10.0.0.1',
    '2001:db8::1',
    'not-an-address',
    // IPv6 forms that embed or reach an IPv4 address of any kind.
    '::127.0.0.1',
    '::ffff:0:7f00:1',
    '64:ff9b::7f00:1',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b::808:808',
  ])('%s is not', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
});

describe('checkEndpointUrl in test mode', () => {
  const publicOnly = async (host: string) => (host === 'hooks.example.com' ? ['93.184.216.34'] : ['127.0.0.1']);
  afterEach(() => {
    delete process.env[PRIVATE_ADDRESSES_ALLOWED];
  });
  it('holds a deployed worker to public addresses, http allowed', async () => {
    delete process.env[PRIVATE_ADDRESSES_ALLOWED];
    await expect(checkEndpointUrl('http://hooks.example.com/webhook', 'test', publicOnly)).resolves.toEqual(['93.184.216.34']);
    for (const url of [
      'http://127.0.0.1:9001/2018-06-01/runtime/invocation/next',
      'http://169.254.169.254/latest',
      'http://10.0.0.1/',
      'http://localhost:3000/webhook',
    ]) {
      await expect(checkEndpointUrl(url, 'test', publicOnly), url).rejects.toMatchObject({ code: 'url_invalid', param: 'url' });
    }
  });
  it('lets the local runtime deliver to this machine', async () => {
    process.env[PRIVATE_ADDRESSES_ALLOWED] = '1';
    await expect(checkEndpointUrl('http://localhost:3000/webhook', 'test', publicOnly)).resolves.toBeUndefined();
    // Never for live endpoints.
    await expect(checkEndpointUrl('https://127.0.0.1/webhook', 'live', publicOnly)).rejects.toMatchObject({ code: 'url_invalid' });
  });
});
