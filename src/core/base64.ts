/** The standard base64 of a value's UTF-8 bytes, padded, on one line: what Kestra decodes. */
export function encodeValue(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64')
}

// What java.util.Base64.getDecoder() accepts once line breaks are gone: the standard alphabet, and
// a last group of 2 or 3 characters either bare or with exactly the right padding.
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/

/** Whether Kestra's decoder accepts the text as it stands (no line breaks, no spaces). */
export function isStrictBase64(text: string): boolean {
  return STRICT_BASE64.test(text)
}
