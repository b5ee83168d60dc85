import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { jobOfBody, sqsChecksQueue } from '../../../functions/checks/queue';

describe('the SQS checks queue', () => {
  it("sends each job as its account's message group, with its delay (at most SQS's 900 s), ten to a batch", async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const jobs = Array.from({ length: 11 }, (_, n) => ({
      job: { scope: { account: `acct_${n % 2}`, mode: 'test' as const }, submission: `vsub_${n}` },
      delaySeconds: n === 0 ? 1200 : n,
    }));
    await sqsChecksQueue(new SQSClient({ region: 'eu-west-1' }), 'https://sqs.eu-west-1.amazonaws.com/1/checks').send(jobs);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.Entries!.length)).toEqual([10, 1]);
    expect(calls[0]!.QueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/1/checks');
    expect(calls[0]!.Entries![0]).toEqual({
      Id: '0',
      MessageBody: JSON.stringify({ account: 'acct_0', mode: 'test', submission: 'vsub_0' }),
      MessageGroupId: 'acct_0',
      DelaySeconds: 900,
    });
    expect(calls[0]!.Entries![1]).toMatchObject({ MessageGroupId: 'acct_1', DelaySeconds: 1 });
    expect(jobOfBody(calls[1]!.Entries![0]!.MessageBody!)).toEqual({ scope: { account: 'acct_0', mode: 'test' }, submission: 'vsub_10' });
    sqs.restore();
  });

  it('throws when SQS refuses any of a batch, so the stream hands the records over again', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });
    const queue = sqsChecksQueue(new SQSClient({ region: 'eu-west-1' }), 'https://sqs.eu-west-1.amazonaws.com/1/checks');
    await expect(
      queue.send([{ job: { scope: { account: 'acct_1', mode: 'live' }, submission: 'vsub_1' }, delaySeconds: 0 }]),
    ).rejects.toThrow(/refused 1 of 1/);
    sqs.restore();
  });

  it('reads back only well-formed jobs', () => {
    expect(jobOfBody('not json')).toBeUndefined();
    expect(jobOfBody(JSON.stringify({ account: 'acct_1', mode: 'other', submission: 'vsub_1' }))).toBeUndefined();
  });
});
