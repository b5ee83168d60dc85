import { describe, expect, it } from 'vitest';
import { invalidParameter, missingParameter, resourceMissing, VerityError, type ErrorKind } from '../../../functions/domain/errors';
import { toStripeError } from '../../../functions/wire/errors';

describe('toStripeError', () => {
  it.each([
    ['invalid_parameter', 400],
    ['unexpected_state', 400],
    ['resource_missing', 404],
    ['unrecognized_url', 404],
    ['authentication', 401],
    ['conflict', 409],
  ] as const)('answers %s with HTTP %i', (kind: ErrorKind, status) => {
    const { statusCode, body } = toStripeError(new VerityError(kind, 'some_code', 'Something is wrong.', 'some_param'));
    expect(statusCode).toBe(status);
    expect(body).toEqual({
      error: { type: 'invalid_request_error', code: 'some_code', message: 'Something is wrong.', param: 'some_param' },
    });
  });

  it('keeps a null code and param as null', () => {
    const { body } = toStripeError(new VerityError('authentication', null, 'No key.'));
    expect(body.error.code).toBeNull();
    expect(body.error.param).toBeNull();
  });

  it('renders the domain helpers as Stripe does', () => {
    expect(toStripeError(missingParameter('type'))).toEqual({
      statusCode: 400,
      body: {
        error: { type: 'invalid_request_error', code: 'parameter_missing', message: 'Missing required param: type.', param: 'type' },
      },
    });
    expect(toStripeError(resourceMissing('verification_session', 'vs_123'))).toEqual({
      statusCode: 404,
      body: {
        error: { type: 'invalid_request_error', code: 'resource_missing', message: "No such verification_session: 'vs_123'", param: 'id' },
      },
    });
    expect(toStripeError(invalidParameter('parameter_unknown', 'Received unknown parameter: x', 'x')).statusCode).toBe(400);
  });

  it.each([
    ['an Error', new Error('connect ECONNREFUSED 10.0.0.1:8000 secret=hunter2')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a string', 'boom'],
    ['undefined', undefined],
    ['null', null],
    ['an object that looks like a VerityError', { kind: 'invalid_parameter', code: 'x', message: 'y', param: null }],
  ])('answers %s with a 500 api_error that reveals nothing', (_label, error) => {
    const { statusCode, body } = toStripeError(error);
    expect(statusCode).toBe(500);
    expect(body.error.type).toBe('api_error');
    expect(body.error.code).toBeNull();
    expect(body.error.param).toBeNull();
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(body.error.message).not.toContain('hunter2');
    expect(body.error.message).not.toContain('ECONNREFUSED');
    expect(body.error.message).not.toContain('undefined');
  });

  it('produces a body that serialises to exactly the error object', () => {
    const { body } = toStripeError(new VerityError('resource_missing', 'resource_missing', 'No such thing', 'id'));
    expect(Object.keys(JSON.parse(JSON.stringify(body)))).toEqual(['error']);
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  });
});
