// Forces an internal error whose message quotes a decoded value, to prove that the bug report of
// decode and check leaves it out: turning decoded bytes into text fails as soon as the text holds
// the marker, whichever of TextDecoder, Buffer#toString or atob the command uses.
const boom = (text) => new TypeError(`cannot decode ${text} (${Buffer.from(text).toString('base64')})`)
const decode = TextDecoder.prototype.decode
TextDecoder.prototype.decode = function (...args) {
  const text = decode.apply(this, args)
  if (text.includes('LEAKME')) throw boom(text)
  return text
}
const toString = Buffer.prototype.toString
Buffer.prototype.toString = function (...args) {
  const text = toString.apply(this, args)
  if (typeof text === 'string' && text.includes('LEAKME')) throw boom(text)
  return text
}
const atob = globalThis.atob
globalThis.atob = function (...args) {
  const text = atob.apply(this, args)
  if (text.includes('LEAKME')) throw boom(text)
  return text
}
