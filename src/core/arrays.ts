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

/** Pieces per chunk of TextChunks: few enough to stay small between two garbage collections
 * (4096 lines a chunk cost 10% more at 100,000 entries than 256). */
const CHUNK_PIECES = 256

/**
 * A text made of many pieces, each followed by `after` (a line end, or nothing), given to `emit`
 * a few hundred pieces at a time and once more at `end`: appending to one string makes a rope as
 * deep as the text, a list of every piece holds a string header for each, and the text of a large
 * file need never be held whole. A join costs per piece, so `after` is the join's separator.
 */
export class TextChunks {
  protected readonly after: string
  private readonly emit: (chunk: string) => void
  private pieces: string[] = []

  constructor(emit: (chunk: string) => void, after = '') {
    this.emit = emit
    this.after = after
  }

  push(text: string): void {
    this.pieces.push(text)
    if (this.pieces.length === CHUNK_PIECES) this.flush()
  }

  /** Gives what is left. */
  end(): void {
    if (this.pieces.length !== 0) this.flush()
  }

  private flush(): void {
    this.pieces.push('')
    this.emit(this.pieces.join(this.after))
    this.pieces = []
  }
}
