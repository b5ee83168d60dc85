/**
 * The order in which a shared worker serves work of many tenants: one of each tenant's in turn
 * (round-robin), tenants in the order their first item comes, each tenant's own items in their
 * order. One tenant's long list therefore never stands in front of another's first item: with
 * `n` tenants waiting, anyone's next item is at most `n - 1` places back. ARCHITECTURE.md,
 * property 12 ("Tenants never share a wait").
 *
 * @param items the work, in the order it would be served without fairness (oldest first)
 * @param tenantOf the tenant an item belongs to (an account id, or an account and endpoint)
 */
export function fairOrder<T>(items: readonly T[], tenantOf: (item: T) => string): T[] {
  const queues = new Map<string, T[]>();
  for (const item of items) {
    const tenant = tenantOf(item);
    const queue = queues.get(tenant);
    if (queue) queue.push(item);
    else queues.set(tenant, [item]);
  }
  const ordered: T[] = [];
  for (let round = 0; ordered.length < items.length; round++) {
    for (const queue of queues.values()) if (round < queue.length) ordered.push(queue[round]!);
  }
  return ordered;
}
