/** Which Stripe-Version values are served, in which version's shapes, and what each version leaves out. */
import { describe, expect, it } from 'vitest';
import { VerityError } from '../../../functions/domain/errors';
import { API_VERSION, FIELD_CHANGES, MAJORS, renderForVersion, servedVersion } from '../../../functions/wire/api-versions';
import { eventForEndpoint } from '../../../functions/wire/events';

describe('servedVersion', () => {
  it('serves every kind of version Stripe has released, and later ones of the newest major as they are', () => {
    const served: Record<string, string> = {
      // Plain dates before acacia (Identity's first SDKs sent 2020-08-27).
      '2020-08-27': '2020-08-27',
      '2022-11-15': '2022-11-15',
      '2023-10-16': '2023-10-16',
      '2024-06-20': '2024-06-20',
      // Each major's first version and a monthly one of it.
      '2024-09-30.acacia': '2024-09-30.acacia',
      '2024-12-18.acacia': '2024-12-18.acacia',
      '2025-03-31.basil': '2025-03-31.basil',
      '2025-08-27.basil': '2025-08-27.basil',
      '2025-09-30.clover': '2025-09-30.clover',
      '2026-02-25.clover': '2026-02-25.clover',
      '2026-03-25.dahlia': '2026-03-25.dahlia',
      '2026-07-29.dahlia': '2026-07-29.dahlia',
      '2026-09-30.endive': '2026-09-30.endive',
      '2026-10-28.endive': '2026-10-28.endive',
      '2026-11-18.endive': '2026-11-18.endive',
      // A monthly version of the newest major, after today: served as it is named.
      '2027-01-27.endive': '2027-01-27.endive',
      // A date without its name, after acacia: the major of that date.
      '2026-10-28': '2026-10-28.endive',
      // Betas and Stripe's preview versions: served without them.
      '2026-11-18.endive; identity_beta=v1': '2026-11-18.endive',
      '2024-06-20; checkout_server_update_beta=v1': '2024-06-20',
      '2026-07-29.preview': '2026-07-29.dahlia',
      '  2026-11-18.endive  ': '2026-11-18.endive',
    };
    for (const [header, version] of Object.entries(served)) {
      expect(servedVersion(header), header).toEqual({ version, newerMajor: false });
    }
    expect(servedVersion(undefined)).toEqual({ version: API_VERSION, newerMajor: false });
  });

  it('serves a major newer than Verity knows in the newest shapes it knows, and says so', () => {
    const newer = {
      '2027-03-31.fig': '2027-03-31.fig',
      '2027-04-28.fig': '2027-04-28.fig',
      '2027-09-30.grape; some_beta=v2': '2027-09-30.grape',
    };
    for (const [header, requested] of Object.entries(newer)) {
      expect(servedVersion(header), header).toEqual({ version: API_VERSION, newerMajor: true, requested });
    }
  });

  it('refuses what is no Stripe version, naming the header and never the value', () => {
    const refused = [
      'banana',
      'latest',
      '2026-13-01',
      '2026-02-30.endive',
      '20261118',
      '2026-10-28.',
      '2026-10-28.Endive',
      // A date of another major than the name says, and a name before acacia.
      '2025-01-15.endive',
      '2020-08-27.acacia',
      // An unknown name dated before the newest known major began is none Stripe released.
      '2025-01-01.zebra',
      '2010-12-31',
      '2026-11-18.endive; <script>',
      '2026-11-18.endive;',
      // Unicode spaces, names longer than a major's, headers longer than any version with a few betas.
      '2026-11-18.endive;\u2028a=1',
      `2026-12-01.${'f'.repeat(21)}`,
      `2026-11-18.endive; a=${'1'.repeat(40)}`,
      `2026-11-18.endive${'; a=v1'.repeat(50)}`,
    ];
    for (const header of refused) {
      const error = (() => {
        try {
          servedVersion(header);
        } catch (thrown) {
          return thrown;
        }
      })();
      expect(error, header).toBeInstanceOf(VerityError);
      expect(error, header).toMatchObject({ kind: 'invalid_parameter', code: 'api_version_invalid', param: null });
      expect((error as Error).message).toContain('Stripe-Version');
      expect((error as Error).message, header).not.toContain(header.trim());
    }
  });

  it('knows the newest major as the one API_VERSION names', () => {
    expect(API_VERSION.endsWith(`.${MAJORS[MAJORS.length - 1]!.name}`)).toBe(true);
  });
});

describe('renderForVersion', () => {
  const report = {
    id: 'vr_1',
    object: 'identity.verification_report',
    document: { status: 'verified', sex: 'female', unparsed_sex: 'F', unparsed_place_of_birth: 'Paris', first_name: 'Jenny' },
  };
  const session = {
    id: 'vs_1',
    object: 'identity.verification_session',
    related_customer: null,
    related_customer_account: null,
    related_person: null,
    verified_outputs: { first_name: 'Jenny', sex: 'female', unparsed_sex: 'F', unparsed_place_of_birth: 'Paris' },
    last_verification_report: report,
  };
  const event = { id: 'evt_1', object: 'event', data: { object: session } };
  const list = { object: 'list', data: [session], has_more: false, url: '/v1/identity/verification_sessions' };

  it('leaves every field in for the newest version, returning the body itself', () => {
    expect(renderForVersion(list, API_VERSION)).toBe(list);
    expect(renderForVersion(session, '2025-12-15.clover')).toBe(session);
  });

  it('leaves out each field a later version brought, however deep, without changing the original', () => {
    const before = JSON.stringify(list);
    const clover = renderForVersion(list, '2025-11-17.clover');
    expect(clover.data[0]).not.toHaveProperty('related_customer_account');
    expect(clover.data[0]).toHaveProperty('related_person');
    const basil = renderForVersion(session, '2025-05-28.basil');
    expect(basil).not.toHaveProperty('related_person');
    expect(basil.verified_outputs).toHaveProperty('sex');
    const older = renderForVersion(session, '2025-03-31.basil');
    expect(older.verified_outputs).toEqual({ first_name: 'Jenny' });
    expect(older.last_verification_report.document).toEqual({ status: 'verified', first_name: 'Jenny' });
    expect(older).toHaveProperty('related_customer', null);
    expect(renderForVersion(report, '2020-08-27').document).toEqual({ status: 'verified', first_name: 'Jenny' });
    expect(JSON.stringify(list)).toBe(before);
  });

  it('leaves events as they were rendered, since an event keeps its version', () => {
    expect(renderForVersion(event, '2020-08-27')).toBe(event);
    expect(renderForVersion({ object: 'list', data: [event] }, '2020-08-27').data[0]).toBe(event);
  });

  it("renders a webhook endpoint's events in its api_version, naming it", () => {
    const stored = { ...event, api_version: API_VERSION };
    const basil = eventForEndpoint(stored, '2025-05-28.basil');
    expect(basil.api_version).toBe('2025-05-28.basil');
    expect(basil.data.object).not.toHaveProperty('related_person');
    expect(eventForEndpoint(stored, null)).toBe(stored);
    expect(eventForEndpoint(stored, '2027-03-31.fig').api_version).toBe(API_VERSION);
    expect(stored.data.object).toHaveProperty('related_person');
  });

  it('has a source and a served version for every change', () => {
    for (const change of FIELD_CHANGES) {
      expect(change.source).not.toBe('');
      expect(servedVersion(change.since).version).toBe(change.since);
    }
  });
});
