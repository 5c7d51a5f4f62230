import type { Alias, Document, Node, Pair, YAMLMap } from 'yaml'
import type { YamlModule } from './yaml.js'

/** Something Helm and kubectl reject in how a document uses aliases or merge keys. */
export interface NodeProblem {
  node: Node
  message: string
}

/** Mappings wider than this are searched through an index of their keys, made on the first search. */
const INDEXED_FROM = 8

/** A pair of a mapping as Helm reads the mapping, and whether a `<<` merge key brought it in. */
export interface EffectivePair {
  pair: Pair
  merged: boolean
}

/**
 * The nodes of one parsed document as Helm and kubectl read them (sigs.k8s.io/yaml, a fork of
 * go-yaml v2): aliases resolved and `<<` merge keys honoured.
 *
 * Everything is found in one visit of the document, so that each look-up after it is cheap: the
 * yaml library's own `Alias.resolve` visits the whole document for every alias, and a document of
 * many aliases then takes minutes.
 */
export class YamlNodes {
  /** Keys that repeat a key of their mapping, which YAML forbids (merge keys aside). */
  readonly repeatedKeys: Node[] = []
  /** Aliases without an anchor, aliases inside their own anchor, merge keys of the wrong kind. */
  readonly problems: NodeProblem[] = []
  private readonly targets = new Map<Alias, Node>()
  /** The maps a merge key of each merging map brings in, in the order written. */
  private readonly merges = new Map<Pair, YAMLMap[]>()
  private readonly merging = new Set<YAMLMap>()
  /** Look-ups already made in merging maps: key, then map, then the pair found (null: none). */
  private readonly found = new Map<string, Map<YAMLMap, Pair | null>>()
  /** The string keys of the wide mappings without merge keys that were searched, each to its first pair. */
  private readonly keys = new Map<YAMLMap, Map<string, Pair>>()

  constructor(private readonly yaml: YamlModule, doc: Document) {
    this.index(doc)
  }

  /** The node an alias stands for (undefined when it has no anchor); any other node as it is. */
  resolve(node: unknown): unknown {
    return this.yaml.isAlias(node) ? this.targets.get(node) : node
  }

  /** The value of `key` in a mapping as Helm reads it (aliases resolved), or undefined. */
  get(map: unknown, key: string): unknown {
    return this.yaml.isMap(map) ? this.resolve(this.pair(map, key)?.value) : undefined
  }

  has(map: unknown, key: string): boolean {
    return this.yaml.isMap(map) && this.pair(map, key) !== undefined
  }

  /**
   * The pair that sets `key` in a mapping. go-yaml v2 writes a mapping's pairs in order and a merge
   * key's maps where it stands (those of a list from the last to the first), and the last write
   * wins: so the search runs from the last pair back, and into each merged map the same way.
   */
  pair(map: YAMLMap, key: string): Pair | undefined {
    if (this.merging.has(map)) return this.mergedPair(map, key)
    // A key written twice is an error already (YAML forbids it): the first is read, as the yaml
    // library reads it, so that what a second `name:` holds (a pasted value?) is never a name.
    if (map.items.length <= INDEXED_FROM) return map.items.find((pair) => this.keyText(pair.key) === key)
    // A wide mapping is indexed once: one that many aliases name is searched once per alias.
    let index = this.keys.get(map)
    if (index === undefined) {
      index = new Map()
      for (const pair of map.items) {
        const text = this.keyText(pair.key)
        if (text !== undefined && !index.has(text)) index.set(text, pair as Pair)
      }
      this.keys.set(map, index)
    }
    return index.get(key)
  }

  /**
   * Every pair of a mapping as Helm reads it: for a mapping without merge keys, its own pairs;
   * otherwise each key once, with the pair that sets it last, merged pairs included, in the order
   * of those pairs.
   */
  pairs(map: YAMLMap): EffectivePair[] {
    if (!this.merging.has(map)) return map.items.map((pair) => ({ pair: pair as Pair, merged: false }))
    // From the last write back: the first pair met for a key is the one that wins. A map met again
    // was written whole again later, so every key it holds is decided already.
    const out: EffectivePair[] = []
    const keys = new Set<unknown>()
    const visited = new Set<YAMLMap>([map])
    const stack: { map: YAMLMap; at: number }[] = [{ map, at: map.items.length - 1 }]
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { map: YAMLMap; at: number }
      if (frame.at < 0) {
        stack.pop()
        continue
      }
      const pair = frame.map.items[frame.at--] as Pair
      const sources = this.merges.get(pair)
      if (sources !== undefined) {
        // Pushed last to first, so that the first map of the list is searched first.
        for (let i = sources.length - 1; i >= 0; i--) {
          const source = sources[i] as YAMLMap
          if (visited.has(source)) continue
          visited.add(source)
          stack.push({ map: source, at: source.items.length - 1 })
        }
        continue
      }
      const id = this.keyId(pair.key)
      if (keys.has(id)) continue
      keys.add(id)
      out.push({ pair, merged: frame.map !== map })
    }
    return out.reverse()
  }

  /** The text of a string key (an alias resolved), or undefined. */
  keyText(key: unknown): string | undefined {
    const node = this.resolve(key)
    return this.yaml.isScalar(node) && typeof node.value === 'string' ? node.value : undefined
  }

  /** A `<<` merge key: the yaml library reads a plain `<<` of YAML 1.1 as a symbol. */
  isMergeKey(key: unknown): boolean {
    return this.yaml.isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<'
  }

  /** The pair's key as a value to compare with (as the library compares keys: 1 and '1' differ). */
  private keyId(key: unknown): unknown {
    const node = this.resolve(key)
    if (!this.yaml.isScalar(node)) return node
    return typeof node.value === 'string' ? `s${node.value}` : node.value
  }

  /**
   * One visit, in document order: anchors and aliases (an alias stands for the closest anchor of
   * its name before it, as the library and go-yaml resolve it), merge keys, and keys that repeat
   * one of their mapping. The library's own check of repeated keys compares each key with all the
   * others before it (quadratic on a Secret with many keys), hence `uniqueKeys: false` and this.
   */
  private index(doc: Document): void {
    const { yaml } = this
    const anchors = new Map<string, Node>()
    const mergePairs: Pair[] = []
    yaml.visit(doc, {
      Map: (_, map) => {
        const seen = new Set<unknown>()
        for (const pair of map.items) {
          const key = pair.key
          if (this.isMergeKey(key)) {
            mergePairs.push(pair as Pair)
            this.merging.add(map)
            continue
          }
          if (!yaml.isScalar(key)) continue
          const id = typeof key.value === 'string' ? `s${key.value}` : key.value
          if (seen.has(id)) this.repeatedKeys.push(key)
          else seen.add(id)
        }
        if (map.anchor) anchors.set(map.anchor, map)
      },
      Seq: (_, seq) => {
        if (seq.anchor) anchors.set(seq.anchor, seq)
      },
      Scalar: (_, scalar) => {
        if (scalar.anchor) anchors.set(scalar.anchor, scalar)
      },
      Alias: (_, alias) => {
        const target = anchors.get(alias.source)
        const at = alias.range?.[0] ?? -1
        if (target === undefined) {
          this.problems.push({ node: alias, message: 'an alias (*) names no anchor (&) before it, which Helm and kubectl reject' })
        } else if (target.range !== undefined && target.range !== null && target.range[0] <= at && at < target.range[2]) {
          this.problems.push({ node: alias, message: 'an alias (*) stands inside the node its anchor (&) names, which Helm and kubectl reject' })
        } else {
          this.targets.set(alias, target)
        }
      },
    })
    // After the visit, when every alias is known.
    for (const pair of mergePairs) this.merges.set(pair, this.mergeSources(pair))
  }

  /** The maps a merge key brings in: its value, a mapping or a list of mappings (aliases or not). */
  private mergeSources(pair: Pair): YAMLMap[] {
    const { yaml } = this
    const value = this.resolve(pair.value)
    // An alias that stands for nothing is a problem already.
    const items = (yaml.isSeq(value) ? value.items : [pair.value])
      .filter((item) => !yaml.isAlias(item) || this.targets.has(item))
      .map((item) => this.resolve(item))
    const maps = items.filter((item): item is YAMLMap => yaml.isMap(item))
    if (maps.length !== items.length) {
      this.problems.push({
        node: (pair.value ?? pair.key) as Node,
        message: 'a << merge key needs a mapping or a list of mappings, which Helm and kubectl require',
      })
    }
    return maps
  }

  /** `pair` for a mapping with merge keys, searched without recursion (chains can be long). */
  private mergedPair(start: YAMLMap, key: string): Pair | undefined {
    let memo = this.found.get(key)
    if (memo === undefined) this.found.set(key, (memo = new Map()))
    const known = memo.get(start)
    if (known !== undefined) return known ?? undefined
    // Each frame scans its map from the last pair back and, at a merge key, its maps in order. A
    // map being searched is null in `memo`, so that a cycle ends (Helm rejects those anyway).
    interface Frame { map: YAMLMap; at: number; sources: readonly YAMLMap[]; next: number }
    const stack: Frame[] = []
    const open = (map: YAMLMap): void => {
      memo.set(map, null)
      stack.push({ map, at: map.items.length - 1, sources: [], next: 0 })
    }
    open(start)
    let hit: Pair | undefined
    search: while (stack.length > 0) {
      const frame = stack[stack.length - 1] as Frame
      while (frame.next < frame.sources.length) {
        const source = frame.sources[frame.next++] as YAMLMap
        const answer = memo.get(source)
        if (answer === undefined) {
          open(source)
          continue search
        }
        if (answer !== null) {
          hit = answer
          break search
        }
      }
      while (frame.at >= 0) {
        const pair = frame.map.items[frame.at--] as Pair
        const sources = this.merges.get(pair)
        if (sources !== undefined) {
          frame.sources = sources
          frame.next = 0
          continue search
        }
        if (this.keyText(pair.key) === key) {
          hit = pair
          // Of the same key written twice (an error already), the first, as `pair` reads it.
          for (let i = frame.at; i >= 0 && !this.merges.has(frame.map.items[i] as Pair); i--) {
            if (this.keyText((frame.map.items[i] as Pair).key) === key) hit = frame.map.items[i] as Pair
          }
          break search
        }
      }
      stack.pop()
    }
    // A hit answers every map still being searched: each was waiting on the one above it.
    if (hit !== undefined) for (const frame of stack) memo.set(frame.map, hit)
    return hit
  }
}
