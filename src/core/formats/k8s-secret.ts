import type { OutputItem } from '../encode.js'
import { layoutComments } from './comments.js'
import { quoted, render, type YamlModule } from './yaml.js'

export const DEFAULT_SECRET_NAME = 'kestra-secrets'

export interface K8sSecretOptions {
  /** metadata.name: a DNS-1123 subdomain (default `kestra-secrets`). */
  name?: string
  /** metadata.namespace: a DNS-1123 label; left out when not given. */
  namespace?: string
  eol?: '\n' | '\r\n'
}

const LABEL = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?'
const SUBDOMAIN = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`)

/** What Kubernetes accepts as the name of a Secret: lower case, digits, `-` and `.`, at most 253. */
export function isDnsSubdomain(name: string): boolean {
  return name.length <= 253 && SUBDOMAIN.test(name)
}

/** What Kubernetes accepts as a namespace: lower case, digits and `-`, at most 63. */
export function isDnsLabel(name: string): boolean {
  return name.length <= 63 && new RegExp(`^${LABEL}$`).test(name)
}

/** The text Kubernetes stores in a Secret's `data` for a value: its base64. */
export function secretData(encoded: string): string {
  return Buffer.from(encoded, 'utf8').toString('base64')
}

/**
 * A `v1` `Secret` manifest whose `data` holds each `SECRET_X` as the base64 of our base64 text:
 * Kubernetes removes that outer layer when it sets the variable, so Kestra receives exactly what
 * the env format would have given it (the same as `kubectl create secret generic --from-env-file`).
 */
export function renderK8sSecret(items: readonly OutputItem[], yaml: YamlModule, options: K8sSecretOptions = {}): string {
  const name = options.name ?? DEFAULT_SECRET_NAME
  if (!isDnsSubdomain(name)) throw new RangeError('the Secret name is not a DNS-1123 subdomain')
  if (options.namespace !== undefined && !isDnsLabel(options.namespace)) {
    throw new RangeError('the namespace is not a DNS-1123 label')
  }
  const layout = layoutComments(items)
  const doc = new yaml.Document()
  const metadata = new yaml.YAMLMap()
  // Quoted: names such as `yes`, `no` or `123` are booleans or numbers to a YAML 1.1 reader.
  metadata.items.push(new yaml.Pair(new yaml.Scalar('name'), quoted(yaml, name)))
  if (options.namespace !== undefined) {
    metadata.items.push(new yaml.Pair(new yaml.Scalar('namespace'), quoted(yaml, options.namespace)))
  }
  const data = new yaml.YAMLMap()
  for (const { entry, comment, spaceBefore } of layout.placed) {
    const key = new yaml.Scalar(entry.variable)
    if (comment !== undefined) key.commentBefore = comment
    key.spaceBefore = spaceBefore
    data.items.push(new yaml.Pair(key, quoted(yaml, secretData(entry.encoded))))
  }
  if (data.items.length === 0) data.flow = true
  if (layout.trailer !== undefined) data.comment = layout.trailer
  if (layout.header !== undefined) doc.commentBefore = layout.header

  const root = new yaml.YAMLMap()
  root.items.push(new yaml.Pair(new yaml.Scalar('apiVersion'), new yaml.Scalar('v1')))
  root.items.push(new yaml.Pair(new yaml.Scalar('kind'), new yaml.Scalar('Secret')))
  root.items.push(new yaml.Pair(new yaml.Scalar('metadata'), metadata))
  root.items.push(new yaml.Pair(new yaml.Scalar('type'), new yaml.Scalar('Opaque')))
  root.items.push(new yaml.Pair(new yaml.Scalar('data'), data))
  doc.contents = root
  return render(doc, options.eol ?? '\n')
}

/**
 * The Helm values that mount the Secret into every Kestra container: `common.extraEnvFrom` for
 * chart 1.0 and later, `extraSecretEnvFrom` for chart 0.x.
 */
export function mountValues(yaml: YamlModule, name: string = DEFAULT_SECRET_NAME): { chart1: string; chart0: string } {
  const chart1 = new yaml.Document({ common: { extraEnvFrom: [{ secretRef: { name } }] } })
  chart1.setIn(['common', 'extraEnvFrom', 0, 'secretRef', 'name'], quoted(yaml, name))
  const chart0 = new yaml.Document({ extraSecretEnvFrom: [{ name }] })
  chart0.setIn(['extraSecretEnvFrom', 0, 'name'], quoted(yaml, name))
  return { chart1: render(chart1, '\n'), chart0: render(chart0, '\n') }
}
