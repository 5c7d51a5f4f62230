/**
 * Appends every item to `to`. `to.push(...items)` passes each item as an argument, and an array of
 * a hundred thousand items overflows the stack.
 */
export function pushAll<T>(to: T[], items: readonly T[]): void {
  for (const item of items) to.push(item)
}
