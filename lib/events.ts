/**
 * Verity's lifecycle events in AWS: the EventBridge bus (encrypted with Verity's key, with a
 * dead-letter queue), the outbox publisher that feeds it from the table's stream, and
 * `subscribe()`, which gives a business's target a rule and a dead-letter queue of its own.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, type IRuleTarget } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import {
  CfnEventSourceMapping,
  FilterCriteria,
  FilterRule,
  StartingPosition,
  type DlqDestinationConfig,
  type IEventSourceDlq,
  type IFunction,
} from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SessionEventType } from '../functions/domain/events';
import { tableSchema } from '../functions/store/schema';
import { EVENT_SOURCE } from '../functions/streams/publish-events';
import { allowServiceToUseKey } from './data';
import { VerityFunction, type VerityFunctionProps } from './verity-function';
import type { StreamRecords, Worker } from '../functions/workers';
import { workerNamed } from '../functions/workers';

/** What a subscriber's target is built with: its dead-letter queue and retry policy. */
export interface SubscriberTargetProps {
  deadLetterQueue: IQueue;
  retryAttempts: number;
  maxEventAge: Duration;
}

export interface SubscribeOptions {
  /** The event types to receive; all of them when left out. */
  types?: SessionEventType[];
  /** Only live-mode (true) or only test-mode (false) events; both when left out. */
  livemode?: boolean;
  /** Builds the target, e.g. `(props) => new targets.LambdaFunction(fn, props)`. */
  target: (props: SubscriberTargetProps) => IRuleTarget;
}

export class VerityEvents extends Construct {
  readonly bus: EventBus;
  readonly deadLetterQueue: Queue;
  readonly publisher: VerityFunction;
  /** Stream records the publisher could not publish after every retry. */
  readonly publisherDeadLetterQueue: Queue;
  /** Every subscriber's dead-letter queue, for alarms. */
  readonly subscriberDeadLetterQueues = new Map<string, Queue>();
  private readonly key: Key;

  constructor(
    scope: Construct,
    id: string,
    props: { key: Key; table: Table /** Where the publisher is built (lib/rooms.ts). @default this construct */; room?: Construct },
  ) {
    super(scope, id);
    this.key = props.key;
    // The bus's own dead-letter queue holds whole events as the bus carries them: as redaction
    // leaves them, with no personal value (functions/streams/publish-events.ts), since nothing
    // can redact a message in a queue. Still encrypted with the stack's key like every other copy
    // (a disabled key also stops the bus).
    this.deadLetterQueue = this.deadLetterQueueFor('DeadLetters', 'the event bus');
    // EventBridge encrypts what it puts into its own and subscribers' queues with the customer key.
    allowServiceToUseKey(props.key, 'events.amazonaws.com');
    this.bus = new EventBus(this, 'Bus', {
      description: 'Verity lifecycle events: identity.verification_session.*',
      kmsKey: props.key,
      deadLetterQueue: this.deadLetterQueue,
    });
    this.deadLetterQueue.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.bus.eventBusArn } },
      }),
    );

    const worker = workerNamed('Publisher');
    this.publisher = workerFunction(props.room ?? this, 'Publisher', worker, {
      logsIn: this,
      environment: { VERITY_EVENT_BUS_NAME: this.bus.eventBusName },
      environmentKey: props.key,
    });
    this.bus.grantPutEventsTo(this.publisher.function);
    this.publisherDeadLetterQueue = this.deadLetterQueueFor('PublisherDeadLetters', 'the outbox publisher');
    this.publisher.function.addEventSource(
      tableStreamSource(props.table, {
        ...streamOf(worker),
        deadLetterQueue: this.publisherDeadLetterQueue,
        key: props.key,
      }),
    );
  }

  /** A rule on the bus for `options.types`, whose target gets its own dead-letter queue and retry policy. */
  subscribe(id: string, options: SubscribeOptions): Rule {
    const deadLetterQueue = this.deadLetterQueueFor(`${id}DeadLetters`, `the ${id} subscription`);
    this.subscriberDeadLetterQueues.set(id, deadLetterQueue);
    return new Rule(this, `${id}Rule`, {
      eventBus: this.bus,
      description: `Verity events for ${id}`,
      eventPattern: {
        source: [EVENT_SOURCE],
        ...(options.types ? { detailType: options.types } : {}),
        ...(options.livemode !== undefined ? { detail: { livemode: [options.livemode] } } : {}),
      },
      targets: [options.target({ deadLetterQueue, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });
  }

  private deadLetterQueueFor(id: string, owner: string): Queue {
    return deadLetterQueue(this, id, owner, this.key);
  }
}

/**
 * A worker's function as the workers table (functions/workers.ts) describes it: its module,
 * description, timeout and kind of trigger. `id` is the one its construct always had under its
 * owner (its logical ids depend on it).
 */
export function workerFunction(
  scope: Construct,
  id: string,
  worker: Worker,
  props: Omit<VerityFunctionProps, 'handlerModule' | 'description' | 'timeout' | 'invokedBy'>,
): VerityFunction {
  const trigger = worker.trigger;
  return new VerityFunction(scope, id, {
    ...props,
    handlerModule: worker.handler,
    description: worker.description,
    timeout: Duration.seconds(worker.timeoutSeconds),
    invokedBy: 'stream' in trigger ? 'stream' : 'queue' in trigger ? 'queue' : 'schedule',
  });
}

/**
 * Feeds `worker` from `queue` with partial batch failures reported: grants it the queue's receive
 * and delete, and acknowledges cdk-nag's rule that asks an event source mapping for an on-failure
 * destination, with `failuresGoWhere`: why a failed message is not lost (an SQS mapping's failed
 * messages return to their queue, so what matters is what the queue does with them next).
 */
export function consumeQueue(
  worker: VerityFunction,
  queue: Queue,
  options: { batchSize: number; maxConcurrency?: number; failuresGoWhere: string },
): void {
  queue.grantConsumeMessages(worker.role);
  worker.function.addEventSource(
    new SqsEventSource(queue, {
      batchSize: options.batchSize,
      reportBatchItemFailures: true,
      ...(options.maxConcurrency ? { maxConcurrency: options.maxConcurrency } : {}),
    }),
  );
  const mapping = worker.function.node.findAll().find((node): node is CfnEventSourceMapping => node instanceof CfnEventSourceMapping)!;
  Validations.of(mapping).acknowledge({
    id: 'Serverless::Serverless-LambdaEventSourceMappingDestination',
    reason: options.failuresGoWhere,
  });
}

/** A scheduled worker's rate, from the workers table. */
export function scheduleOf(worker: Worker): Duration {
  if (!('everyMinutes' in worker.trigger)) throw new Error(`The worker ${worker.name} is not run by a schedule`);
  return Duration.minutes(worker.trigger.everyMinutes);
}

/** A stream worker's filters, batch size and parallelization, from the workers table. */
export function streamOf(worker: Worker): { records: StreamRecords[]; batchSize: number; parallelizationFactor?: number } {
  if (!('stream' in worker.trigger)) throw new Error(`The worker ${worker.name} is not fed by the table's stream`);
  return worker.trigger.stream;
}

/**
 * How every Verity stream consumer reads the table's stream: from the oldest record (what was
 * written before the mapping existed is still handled), bisecting failing batches, reporting
 * partial failures, 10 retries within 24 hours, then an encrypted on-failure queue. The filter
 * passes one kind of item and one event name; each consumer checks the same in code, because a
 * filter that matches nothing fails silently.
 */
export function tableStreamSource(
  table: Table,
  options: {
    /** One filter per entry: the records of one kind of item with one event name. */
    records: StreamRecords[];
    batchSize: number;
    deadLetterQueue: Queue;
    key: Key;
    parallelizationFactor?: number;
  },
): DynamoEventSource {
  return new DynamoEventSource(table, {
    startingPosition: StartingPosition.TRIM_HORIZON,
    batchSize: options.batchSize,
    maxBatchingWindow: Duration.seconds(0),
    reportBatchItemFailures: true,
    bisectBatchOnError: true,
    retryAttempts: 10,
    maxRecordAge: Duration.hours(24),
    ...(options.parallelizationFactor ? { parallelizationFactor: options.parallelizationFactor } : {}),
    onFailure: new EncryptedQueueDestination(options.deadLetterQueue, options.key),
    filters: options.records.map(({ eventName, kind }) =>
      FilterCriteria.filter({
        eventName: FilterRule.isEqual(eventName),
        dynamodb: { Keys: { [tableSchema.sortKey]: { S: FilterRule.isEqual(kind) } } },
      }),
    ),
  });
}

/**
 * A queue that is itself a dead-letter queue: encrypted with the stack's key, TLS only, 14 days, and acknowledged as such to the policy
 * checks.
 */
export function deadLetterQueue(scope: Construct, id: string, owner: string, key: Key, fromQueue = false): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  for (const rule of [
    'AwsSolutions::AwsSolutions-SQS3',
    'Serverless::Serverless-SQSRedrivePolicy',
    'cdk-validator-cfnguard::sqs_dlq_check',
  ]) {
    Validations.of(queue).acknowledge({
      id: rule,
      reason:
        `This queue is itself the dead-letter queue of ${owner}; an alarm fires on its first message. ` +
        (fromQueue
          ? 'Its one source is that SQS queue, whose redrive policy names it; a RedriveAllowPolicy naming the source back would make the ' +
            'two queues depend on each other.'
          : 'Its source is EventBridge or a stream event source mapping, not an SQS queue, so a RedriveAllowPolicy (which names source ' +
            'queues) has nothing to allow.'),
    });
  }
  return queue;
}

/**
 * The on-failure destination of the event source mapping. CDK's SqsDlq grants the function
 * `kms:GenerateDataKey*` and `kms:ReEncrypt*` on the key; sending to an encrypted queue needs
 * exactly `sqs:SendMessage` on the queue and `kms:GenerateDataKey` and `kms:Decrypt` on its key.
 */
class EncryptedQueueDestination implements IEventSourceDlq {
  constructor(
    private readonly queue: Queue,
    private readonly key: Key,
  ) {}

  bind(_mapping: unknown, handler: IFunction): DlqDestinationConfig {
    handler.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
    handler.addToRolePolicy(new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.key.keyArn] }));
    return { destination: this.queue.queueArn };
  }
}
