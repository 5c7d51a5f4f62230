/**
 * Appends every item to `to`. `to.push(...items)` passes each item as an argument, and an array of
 * a hundred thousand items overflows the stack.
 */
export function pushAll<T>(to: T[], items: readonly T[]): void {
  for (const item of items) to.push(item)
}

/** A typed array of twice the length, holding the same values first. */
export function grown<T extends Uint8Array | Int32Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2)
  bigger.set(array)
  return bigger
}
