import type { YAMLMap, YAMLSeq } from 'yaml'
import type { OutputItem } from '../encode.js'
import { layoutComments } from './comments.js'
import { quoted, render, type YamlModule } from './yaml.js'

export interface HelmOptions {
  /** Chart 0.x: a top-level `extraEnv` instead of `common.extraEnv` (chart 1.0 and later). */
  legacy?: boolean
  eol?: '\n' | '\r\n'
}

/**
 * A values file for Kestra's Helm chart: every secret as `{name: SECRET_X, value: "<base64>"}` in
 * `common.extraEnv` (chart 1.0 and later) or, with `legacy`, the top-level `extraEnv` of chart 0.x.
 * Values are always double-quoted; the input's comments stand above the entries they preceded.
 */
export function renderHelm(items: readonly OutputItem[], yaml: YamlModule, options: HelmOptions = {}): string {
  const layout = layoutComments(items)
  const doc = new yaml.Document()
  const list = new yaml.YAMLSeq() as YAMLSeq<YAMLMap>
  for (const { entry, comment, spaceBefore } of layout.placed) {
    const env = new yaml.YAMLMap()
    env.items.push(new yaml.Pair(new yaml.Scalar('name'), new yaml.Scalar(entry.variable)))
    env.items.push(new yaml.Pair(new yaml.Scalar('value'), quoted(yaml, entry.encoded)))
    if (comment !== undefined) env.commentBefore = comment
    env.spaceBefore = spaceBefore
    list.items.push(env)
  }
  if (list.items.length === 0) list.flow = true
  if (layout.trailer !== undefined) list.comment = layout.trailer
  if (layout.header !== undefined) doc.commentBefore = layout.header

  const root = new yaml.YAMLMap()
  if (options.legacy) {
    root.items.push(new yaml.Pair(new yaml.Scalar('extraEnv'), list))
  } else {
    const common = new yaml.YAMLMap()
    common.items.push(new yaml.Pair(new yaml.Scalar('extraEnv'), list))
    root.items.push(new yaml.Pair(new yaml.Scalar('common'), common))
  }
  doc.contents = root
  return render(doc, options.eol ?? '\n')
}
