// Names made to flood a hash table: the bench's adversarial case and the test of names.ts's
// Repeats both use them.

/**
 * 2^blocks distinct names of `blocks` 8-character blocks ([A-Z0-9]) that all share the low 24
 * bits of an unseeded FNV-1a (the hash names.ts's table used before it was seeded and mixed). In
 * FNV-1a the low bits depend only on the low bits before, so one pair of blocks that agree there,
 * per position, is enough: a birthday search of a few thousand blocks each. Deterministic.
 * @param {number} blocks
 * @returns {string[]}
 */
export function floodNames(blocks) {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
  let state = 12345
  const randomBlock = () => {
    let block = ''
    for (let k = 0; k < 8; k++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0
      block += letters[(state >>> 16) % letters.length]
    }
    return block
  }
  const pairs = []
  let h = FNV_BASIS
  for (let b = 0; b < blocks; b++) {
    const seen = new Map()
    for (;;) {
      const block = randomBlock()
      const low = fnv1a(block, h) & 0xffffff
      const other = seen.get(low)
      if (other !== undefined && other !== block) {
        pairs.push([other, block])
        h = fnv1a(block, h)
        break
      }
      seen.set(low, block)
    }
  }
  return Array.from({ length: 2 ** blocks }, (_, i) => pairs.map((pair, b) => pair[(i >> b) & 1]).join(''))
}

export const FNV_BASIS = 0x811c9dc5

/**
 * FNV-1a of `text`, from `h`.
 * @param {string} text
 * @param {number} [h]
 */
export function fnv1a(text, h = FNV_BASIS) {
  for (let k = 0; k < text.length; k++) h = Math.imul(h ^ text.charCodeAt(k), 0x01000193)
  return h
}
