/**
 * The rooms: the nested stacks that hold Verity's functions, so that no one CloudFormation
 * template comes near its limit of 500 resources as routes are added (a route costs six
 * resources in its room: function, role, policy, permission, integration, route; and its log
 * group in the parent). What holds data or an address others rely on stays in the parent stack
 * with the logical id it always had: the key, both tables, both secrets, the uploads bucket,
 * every queue, the event bus, the HTTP API and its stage (their URLs), the alarm topic (its
 * subscriptions), the alarms, and every log group. Moving one of those between stacks would
 * replace it and lose what it holds (test/infra/stack.test.ts lists them by logical id).
 *
 * Each route's room is decided by `ROOMS` below, first match wins. A route must never change
 * room once deployed: for a moment its route key would exist in two stacks, which API Gateway
 * refuses. So a new room takes new routes only (docs/architecture.md, *Rooms*).
 */
import { NestedStack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { Route } from '../functions/routes';

/** The rooms that hold routes; `Workers` holds every function no route calls (functions/workers.ts). */
export type RouteRoom = 'Api' | 'Page' | 'Console';
export type Room = RouteRoom | 'Workers';

/**
 * The most resources one template (the parent, or any room) may hold: CloudFormation's wall is
 * 500, and a business that places the construct in its own stack keeps the rest for its own.
 */
export const TEMPLATE_RESOURCE_BUDGET = 330;

/** Which room holds a route: the first entry whose `holds` is true. Add a room above the one it relieves, holding new routes only. */
export const ROOMS: readonly { room: RouteRoom; description: string; holds: (route: Route) => boolean }[] = [
  {
    room: 'Console',
    description: "Verity: the operators' console, one function and route per page",
    holds: (route) => route.handler.startsWith('console/'),
  },
  {
    room: 'Page',
    description: 'Verity: the verification page, its uploads, logos and the unrecognized URL, one function and route each',
    holds: (route) => !route.authenticated,
  },
  { room: 'Api', description: 'Verity: the Stripe-compatible API, one function and route per endpoint', holds: () => true },
];

const WORKERS_DESCRIPTION = 'Verity: the workers (stream consumers, the checks worker and the schedules) with their triggers';

/** The room of a route (`ROOMS`). */
export function roomOf(route: Route): RouteRoom {
  return ROOMS.find((entry) => entry.holds(route))!.room;
}

/**
 * The rooms of one Verity construct: each room's nested stack is made, under the construct, the
 * first time something is placed in it (a Verity built with one route has one route room).
 */
export class VerityRooms {
  private readonly stacks = new Map<Room, NestedStack>();

  constructor(private readonly scope: Construct) {}

  /** The nested stack of `room`. */
  stack(room: Room): NestedStack {
    let stack = this.stacks.get(room);
    if (!stack) {
      const description = room === 'Workers' ? WORKERS_DESCRIPTION : ROOMS.find((entry) => entry.room === room)!.description;
      stack = new NestedStack(this.scope, `${room}Room`, { description });
      this.stacks.set(room, stack);
    }
    return stack;
  }

  /** Every room made so far. */
  all(): NestedStack[] {
    return [...this.stacks.values()];
  }

  /** A construct named `owner` in `room`'s stack, where that owner (the events, the redaction…) builds its functions. */
  scopeFor(room: Room, owner: string): Construct {
    const stack = this.stack(room);
    return (stack.node.tryFindChild(owner) as Construct | undefined) ?? new Construct(stack, owner);
  }
}
