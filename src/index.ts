// The library: text in, text and diagnostics out. Nothing here touches files, the process or colours.
export { encodeEnv } from './core/encode.js'
export type { EncodeOptions, EncodeResult, EncodedEntry, OutputItem } from './core/encode.js'
export { decodeEnv } from './core/decode.js'
export type { DecodeOptions, DecodeResult, DecodedEntry } from './core/decode.js'
export { checkEncoded } from './core/check.js'
export type { CheckOptions, CheckResult, CheckFile, CheckedSecret, Finding } from './core/check.js'
export { FORMATS, renderFormat } from './core/formats/index.js'
export type { Format, FormatOptions } from './core/formats/index.js'
export { readFormatted } from './core/formats/read.js'
export type {
  DocumentFormat, EnvList, ExternalVariable, FormattedDocument, FormattedEntry, MountList, ReadOptions, SecretMount, ValueSource,
} from './core/formats/read.js'
export type { YamlModule } from './core/formats/yaml.js'
export { findSecretReferences } from './core/flows.js'
export type { FlowSecrets, SecretReference } from './core/flows.js'
export { decodeKestraValue } from './core/kestra.js'
export type { KestraValue } from './core/kestra.js'
export type { Diagnostic, DiagnosticCode, Severity } from './core/diagnostics.js'
