import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { deliveryJobOfBody, sqsDeliveryHandOff } from '../../../functions/webhooks/hand-off';

const URL = 'https://sqs.eu-west-1.amazonaws.com/1/webhooks';

describe('the SQS webhook hand-off', () => {
  it("sends each new delivery's ids as its account's message group, ten to a batch, with no delay", async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const jobs = Array.from({ length: 11 }, (_, n) => ({
      scope: { account: `acct_${n % 2}`, mode: 'live' as const },
      endpointId: `we_${n}`,
      eventId: `evt_${n}`,
    }));
    await sqsDeliveryHandOff(new SQSClient({ region: 'eu-west-1' }), URL).send(jobs);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.Entries!.length)).toEqual([10, 1]);
    expect(calls[0]!.QueueUrl).toBe(URL);
    expect(calls[0]!.Entries![0]).toEqual({
      Id: '0',
      MessageBody: JSON.stringify({ account: 'acct_0', mode: 'live', endpoint: 'we_0', event: 'evt_0' }),
      MessageGroupId: 'acct_0',
    });
    expect(calls[0]!.Entries![1]).toMatchObject({ MessageGroupId: 'acct_1' });
    expect(deliveryJobOfBody(calls[1]!.Entries![0]!.MessageBody!)).toEqual(jobs[10]);
    sqs.restore();
  });

  it('sends every batch, then throws when SQS refused any entry', async () => {
    const sqs = mockClient(SQSClient);
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [], Failed: [{ Id: '3', Code: 'InternalError', SenderFault: false }] })
      .resolves({ Successful: [], Failed: [] });
    const jobs = Array.from({ length: 12 }, (_, n) => ({
      scope: { account: 'acct_1', mode: 'test' as const },
      endpointId: 'we_1',
      eventId: `evt_${n}`,
    }));
    await expect(sqsDeliveryHandOff(new SQSClient({ region: 'eu-west-1' }), URL).send(jobs)).rejects.toThrow(/refused 1 of 12/);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
    sqs.restore();
  });

  it('reads back only well-formed jobs', () => {
    expect(deliveryJobOfBody('not json')).toBeUndefined();
    expect(deliveryJobOfBody(JSON.stringify({ account: 'acct_1', mode: 'other', endpoint: 'we_1', event: 'evt_1' }))).toBeUndefined();
    expect(deliveryJobOfBody(JSON.stringify({ account: 'acct_1', mode: 'test', endpoint: 'we_1' }))).toBeUndefined();
  });
});
