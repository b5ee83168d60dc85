/**
 * `npm run keys -- create --restricted` as a person runs it, in a child process: the key printed
 * once, its hash and grant stored (nothing else), the safe key the default, revoke, and one
 * line (exit 2) for every mistake.
 */
import { describe, expect, it } from 'vitest';
import { hashSecretKey } from '../../functions/domain/api-keys';
import { findApiKey } from '../../functions/store/api-keys';
import { keysCommand } from '../support/keys-command';

const { keys } = keysCommand('verity-keys-');

/** The stored key, read from the table the command writes to (`verity`, npm start's). */
async function stored(key: string) {
  const previous = process.env.VERITY_TABLE_NAME;
  process.env.VERITY_TABLE_NAME = 'verity';
  try {
    return await findApiKey(hashSecretKey(key));
  } finally {
    process.env.VERITY_TABLE_NAME = previous;
  }
}

const keyIn = (stdout: string) => /Restricted key \(test mode, shown only now\): (rk_test_[0-9A-Za-z]{48})\n/.exec(stdout)?.[1];

describe('npm run keys -- create --restricted', () => {
  it('makes a read-only key without options, and the key asked for with them; revoke deletes it', async () => {
    const plain = keys('create', '--restricted', '--mode', 'test');
    expect(plain.stderr).toBe('');
    expect(plain.status).toBe(0);
    expect(plain.stdout).toContain(
      'Permissions: verification_sessions=read, verification_reports=read, events=read, files=read, webhook_endpoints=read, ' +
        'blocklist_entries=read; no sensitive results; from any address',
    );
    const plainKey = keyIn(plain.stdout)!;
    expect(await stored(plainKey)).toMatchObject({
      scope: { mode: 'test' },
      grant: { type: 'restricted', sensitive_results: false, allowed_ips: [] },
    });

    const account = /Account: (acct_\w+)/.exec(plain.stdout)![1]!;
    const full = keys(
      'create',
      '--restricted',
      '--mode',
      'test',
      '--account',
      account,
      '--permission',
      'verification_sessions=write',
      '--permission',
      'events=none',
      '--sensitive-results',
      '--allowed-ip',
      '203.0.113.0/24,2001:db8::/32',
      '--allowed-ip',
      '198.51.100.7',
    );
    expect(full.stderr).toBe('');
    expect(full.stdout).toContain('verification_sessions=write');
    expect(full.stdout).toContain('events=none');
    expect(full.stdout).toContain('sensitive results: all; only from 203.0.113.0/24, 2001:db8::/32, 198.51.100.7');
    const fullKey = keyIn(full.stdout)!;
    expect(await stored(fullKey)).toEqual({
      scope: { account, mode: 'test' },
      grant: {
        type: 'restricted',
        permissions: {
          verification_sessions: 'write',
          verification_reports: 'read',
          events: 'none',
          files: 'read',
          webhook_endpoints: 'read',
          blocklist_entries: 'read',
        },
        sensitive_results: true,
        allowed_ips: ['203.0.113.0/24', '2001:db8::/32', '198.51.100.7'],
      },
    });

    expect(keys('revoke', '--key', fullKey)).toMatchObject({ status: 0, stdout: expect.stringContaining('Revoked.') });
    expect(await stored(fullKey)).toBeUndefined();
  }, 180_000);

  it('answers every mistake with one line and exit code 2', () => {
    const mistakes: [string[], RegExp][] = [
      [['create', '--mode', 'test', '--permission', 'events=read'], /--permission is for create --restricted/],
      [['create', '--mode', 'test', '--sensitive-results'], /--sensitive-results is for create --restricted/],
      [
        ['create', '--restricted', '--mode', 'test', '--permission', 'charges=read'],
        /--permission charges=read: the resource must be one of verification_sessions/,
      ],
      [['create', '--restricted', '--mode', 'test', '--permission', 'events=admin'], /the level must be none, read or write/],
      [
        ['create', '--restricted', '--mode', 'test', '--permission', 'events=read', '--permission', 'events=none'],
        /--permission events is given twice/,
      ],
      [
        ['create', '--restricted', '--mode', 'test', '--allowed-ip', '10.0.0.0/40'],
        /--allowed-ip: Invalid IP address or CIDR range: "10.0.0.0\/40"/,
      ],
      [['revoke', '--restricted', '--key', 'rk_test_abc'], /--restricted is for create, not revoke/],
      [['revoke', '--key', 'pk_prod_abc'], /--key must be an API key/],
    ];
    for (const [args, message] of mistakes) {
      const result = keys(...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  }, 180_000);
});
