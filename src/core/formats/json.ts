import type { OutputItem } from '../encode.js'

/**
 * `{"SECRET_X": "<base64>", ...}` in the input's order, two-space indent, ending with a line break:
 * the layout of `JSON.stringify(object, null, 2)`, written member by member so that the order is
 * the input's whatever the names. JSON has no comments, so the input's comments are left out.
 */
export function renderJson(items: readonly OutputItem[], eol: '\n' | '\r\n' = '\n'): string {
  const members: string[] = []
  for (const item of items) {
    if (item.kind === 'entry') members.push(`  ${JSON.stringify(item.entry.variable)}: ${JSON.stringify(item.entry.encoded)}`)
  }
  return members.length === 0 ? `{}${eol}` : `{${eol}${members.join(`,${eol}`)}${eol}}${eol}`
}
