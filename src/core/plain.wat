;; The loop of encode's fast path for plain files (see src/core/plain.ts, which says what a plain
;; file is and calls this). WebAssembly because `npx kestra-secrets` runs this code once per
;; process: JavaScript would spend most of a large file in the interpreter before the JIT has
;; optimized it, while WebAssembly runs at compiled speed from the first byte.
;;
;; scripts/wasm.js compiles this file into src/core/plain-wasm.ts, which is committed; a test
;; checks that the two agree.
;;
;; Memory, laid out by plain.ts for each input:
;;   [0, 64)          the base64 alphabet
;;   [64, 320)        the class of each byte value (NAME, SPACE, EDGE, OPEN bits, as in plain.ts),
;;                    read as (i32.load8_u offset=64 byte)
;;   [in, in + n)     the input
;;   [out, ...)       the output, with room for 4 bytes per input byte and some
;;   [slots, ...)     the open-addressing table of names: entry number + 1, or 0 (mask + 1 slots)
;;   [bounds, ...)    start and end offset of each name, by entry number
;;   [longs, ...)     for each entry whose output line is 64 KiB or longer: line, name start,
;;                    name end, start and end of its base64 in the output (5 × i32)
;;   [warns, ...)     for each entry whose quote is never closed: its line (i32; no more than a
;;                    quarter of the input's bytes: each such line holds `A="` and a line break)
;;   [names, ...)     and its name, each followed by LF (no more bytes than the input: each line
;;                    holds its name and a `=`)
;; The whole input is in memory before the first call: whether a quote is closed may depend on
;; any later byte.
(module
  (memory (export "memory") 1)

  ;; Where the output has got to, how many entries and long lines there are, the current line.
  (global $o (export "o") (mut i32) (i32.const 0))
  (global $count (export "count") (mut i32) (i32.const 0))
  (global $longCount (export "longCount") (mut i32) (i32.const 0))
  (global $warnCount (export "warnCount") (mut i32) (i32.const 0))
  (global $names (export "names") (mut i32) (i32.const 0))
  (global $line (mut i32) (i32.const 1))

  (global $NAME i32 (i32.const 1))
  (global $SPACE i32 (i32.const 2))
  (global $EDGE i32 (i32.const 4))
  (global $OPEN i32 (i32.const 8))
  (global $STOP i32 (i32.const 16))

  ;; For each quote, where the last search for it found it (the input's end when it found none),
  ;; or 0 before any search: see $quoteAt.
  (global $nextDouble (mut i32) (i32.const 0))
  (global $nextSingle (mut i32) (i32.const 0))
  (global $nextBack (mut i32) (i32.const 0))
  ;; KUBECTL_MAX_LINE_BYTES of src/core/formats/limits.ts (a test compares the two).
  (global $KUBECTL_MAX_LINE_BYTES i32 (i32.const 65536))

  ;; The byte upper-cased when it is a lower-case ASCII letter.
  (func $upper (param $c i32) (result i32)
    (select
      (i32.sub (local.get $c) (i32.const 0x20))
      (local.get $c)
      (i32.and (i32.ge_u (local.get $c) (i32.const 0x61)) (i32.le_u (local.get $c) (i32.const 0x7a)))))

  ;; Whether U+2028 or U+2029 (E2 80 A8/A9) starts at p, within [p, end).
  (func $separator (param $p i32) (param $end i32) (result i32)
    (if (result i32) (i32.lt_u (i32.add (local.get $p) (i32.const 2)) (local.get $end))
      (then
        (i32.and
          (i32.eq (i32.load8_u offset=1 (local.get $p)) (i32.const 0x80))
          (i32.eq (i32.or (i32.load8_u offset=2 (local.get $p)) (i32.const 1)) (i32.const 0xa9))))
      (else (i32.const 0))))

  ;; The first position of the quote $c in [from, end), or -1. Values, and so the positions asked
  ;; from, only move forward: the answer found last stands while it is not behind $from, so the
  ;; input is searched once in all for each quote, however many values open one.
  (func $quoteAt (param $c i32) (param $from i32) (param $end i32) (result i32)
    (local $at i32)
    (local.set $at
      (if (result i32) (i32.eq (local.get $c) (i32.const 0x22))
        (then (global.get $nextDouble))
        (else (if (result i32) (i32.eq (local.get $c) (i32.const 0x27))
          (then (global.get $nextSingle))
          (else (global.get $nextBack))))))
    (if (i32.lt_u (local.get $at) (local.get $from))
      (then
        (local.set $at (local.get $from))
        (block $found
          (loop $search
            (br_if $found (i32.ge_u (local.get $at) (local.get $end)))
            (br_if $found (i32.eq (i32.load8_u (local.get $at)) (local.get $c)))
            (local.set $at (i32.add (local.get $at) (i32.const 1)))
            (br $search)))
        (if (i32.eq (local.get $c) (i32.const 0x22))
          (then (global.set $nextDouble (local.get $at)))
          (else (if (i32.eq (local.get $c) (i32.const 0x27))
            (then (global.set $nextSingle (local.get $at)))
            (else (global.set $nextBack (local.get $at))))))))
    (select (i32.const -1) (local.get $at) (i32.ge_u (local.get $at) (local.get $end))))

  ;; Whether the names [a, a + len) and [x, x + len) are one to Kestra, which upper-cases them.
  (func $sameName (param $a i32) (param $x i32) (param $len i32) (result i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $a) (local.get $len)))
    (block $differ
      (loop $each
        (if (i32.ge_u (local.get $a) (local.get $end)) (then (return (i32.const 1))))
        (br_if $differ
          (i32.ne (call $upper (i32.load8_u (local.get $a))) (call $upper (i32.load8_u (local.get $x)))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $each)))
    (i32.const 0))

  ;; Neither `__proto__` (dotenv drops it) nor `SECRET_…` in any case (a warning): plain.
  (func $plainName (param $s i32) (param $len i32) (result i32)
    (local $k i32)
    (if (i32.eq (local.get $len) (i32.const 9))
      (then
        ;; "__proto_" as a little-endian i64, then "_"
        (if (i32.and
              (i64.eq (i64.load (local.get $s)) (i64.const 0x5f6f746f72705f5f))
              (i32.eq (i32.load8_u offset=8 (local.get $s)) (i32.const 0x5f)))
          (then (return (i32.const 0))))))
    (if (i32.lt_u (local.get $len) (i32.const 7)) (then (return (i32.const 1))))
    ;; "SECRET_", compared upper-cased
    (i32.eqz
      (i32.and
        (i32.eq
          (i32.or
            (i32.or (call $upper (i32.load8_u (local.get $s)))
                    (i32.shl (call $upper (i32.load8_u offset=1 (local.get $s))) (i32.const 8)))
            (i32.or (i32.shl (call $upper (i32.load8_u offset=2 (local.get $s))) (i32.const 16))
                    (i32.shl (call $upper (i32.load8_u offset=3 (local.get $s))) (i32.const 24))))
          (i32.const 0x52434553)) ;; "SECR"
        (i32.and
          (i32.and
            (i32.eq (call $upper (i32.load8_u offset=4 (local.get $s))) (i32.const 0x45)) ;; E
            (i32.eq (call $upper (i32.load8_u offset=5 (local.get $s))) (i32.const 0x54))) ;; T
          (i32.eq (i32.load8_u offset=6 (local.get $s)) (i32.const 0x5f)))))) ;; _

  ;; Encodes the lines that start in [p, stop) of the input [in, end), from where the globals say
  ;; the output has got to. Returns 0, or -1 when a line is not plain, -3 when the table of names
  ;; is full, -4 when there are more long lines than room for them: plain.ts then declines, or
  ;; starts again with more room.
  (func (export "encode")
    (param $p i32) (param $stop i32) (param $end i32) (param $crlf i32)
    (param $slots i32) (param $mask i32) (param $bounds i32) (param $longs i32) (param $longCap i32)
    (param $warns i32)
    (result i32)
    (local $s i32) (local $c i32) (local $h i32) (local $nameEnd i32) (local $v i32) (local $q i32)
    (local $contentEnd i32) (local $slot i32) (local $other i32) (local $o i32) (local $lineStart i32)
    (local $encoded i32) (local $x i32) (local $k i32) (local $i i32) (local $to i32) (local $rec i32)
    (local $open i32) (local $hash i32) (local $backslash i32) (local $close i32) (local $from i32)
    (local.set $o (global.get $o))
    (block $done
      (loop $lines
        (br_if $done (i32.ge_u (local.get $p) (local.get $stop)))
        (local.set $s (local.get $p))
        (local.set $c (i32.load8_u (local.get $s)))
        (if (i32.and (i32.load8_u offset=64 (local.get $c)) (global.get $NAME))
          (then
            ;; An entry `NAME=value`: the name, hashed upper-cased (FNV-1a)
            (local.set $h (i32.const 0x811c9dc5))
            (loop $name
              (local.set $h (i32.mul
                (i32.xor (local.get $h)
                  (i32.sub (local.get $c)
                    (i32.shl (i32.and (i32.ge_u (local.get $c) (i32.const 0x61)) (i32.le_u (local.get $c) (i32.const 0x7a))) (i32.const 5))))
                (i32.const 0x01000193)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (if (i32.lt_u (local.get $p) (local.get $end))
                (then
                  (local.set $c (i32.load8_u (local.get $p)))
                  (br_if $name (i32.and (i32.load8_u offset=64 (local.get $c)) (global.get $NAME))))))
            (if (i32.or (i32.ge_u (local.get $p) (local.get $end)) (i32.ne (local.get $c) (i32.const 0x3d)))
              (then (return (i32.const -1))))
            (local.set $nameEnd (local.get $p))
            (if (i32.eqz (call $plainName (local.get $s) (i32.sub (local.get $nameEnd) (local.get $s))))
              (then (return (i32.const -1))))
            ;; The value, up to LF or CRLF; no NUL, lone CR, U+2028 or U+2029 in it. Its first byte is
            ;; told before the value is read (it may be a megabyte long): a space or a # there is
            ;; not plain, a quote is looked at once the line is read.
            (local.set $v (i32.add (local.get $p) (i32.const 1)))
            (local.set $open (i32.const 0))
            (if (i32.lt_u (local.get $v) (local.get $end))
              (then
                (local.set $c (i32.load8_u (local.get $v)))
                (if (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x22)) (i32.eq (local.get $c) (i32.const 0x27)))
                            (i32.eq (local.get $c) (i32.const 0x60)))
                  (then (local.set $open (local.get $c)))
                  (else
                    (if (i32.eqz (i32.or
                          (i32.and (i32.load8_u offset=64 (local.get $c)) (global.get $OPEN))
                          (i32.or (i32.eq (local.get $c) (i32.const 0x0a)) (i32.eq (local.get $c) (i32.const 0x0d)))))
                      (then (return (i32.const -1))))))))
            ;; The line's first #, first backslash, and first quote of the opening kind after the
            ;; opening one (-1: none).
            (local.set $hash (i32.const -1))
            (local.set $backslash (i32.const -1))
            (local.set $close (i32.const -1))
            (local.set $q (local.get $v))
            (local.set $contentEnd (i32.const -1))
            (block $valueEnd
              (loop $value
                (if (i32.ge_u (local.get $q) (local.get $end))
                  (then (local.set $contentEnd (local.get $q)) (br $valueEnd)))
                (local.set $c (i32.load8_u (local.get $q)))
                ;; One test for the usual byte: STOP marks LF, CR, NUL, #, backslash, the quotes
                ;; and 0xE2.
                (if (i32.and (i32.load8_u offset=64 (local.get $c)) (global.get $STOP))
                  (then
                    (if (i32.eq (local.get $c) (i32.const 0x0a))
                      (then (local.set $contentEnd (local.get $q)) (br $valueEnd)))
                    (if (i32.eq (local.get $c) (i32.const 0x0d))
                      (then
                        (if (i32.and (i32.lt_u (i32.add (local.get $q) (i32.const 1)) (local.get $end))
                                     (i32.eq (i32.load8_u offset=1 (local.get $q)) (i32.const 0x0a)))
                          (then
                            (local.set $contentEnd (local.get $q))
                            (local.set $q (i32.add (local.get $q) (i32.const 1)))
                            (br $valueEnd)))
                        (return (i32.const -1))))
                    (if (i32.eqz (local.get $c)) (then (return (i32.const -1))))
                    (if (i32.eq (local.get $c) (i32.const 0xe2))
                      (then (if (call $separator (local.get $q) (local.get $end)) (then (return (i32.const -1))))))
                    (if (i32.and (i32.eq (local.get $c) (i32.const 0x23)) (i32.eq (local.get $hash) (i32.const -1)))
                      (then (local.set $hash (local.get $q))))
                    (if (i32.and (i32.eq (local.get $c) (i32.const 0x5c)) (i32.eq (local.get $backslash) (i32.const -1)))
                      (then (local.set $backslash (local.get $q))))
                    (if (i32.and (i32.eq (local.get $c) (local.get $open))
                                 (i32.and (i32.gt_u (local.get $q) (local.get $v)) (i32.eq (local.get $close) (i32.const -1))))
                      (then (local.set $close (local.get $q))))))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $value)))
            ;; $q is now at the line's LF (or the end); the line's value is [$v, $contentEnd), and
            ;; what is encoded is [$from, $to).
            (local.set $from (local.get $v))
            (local.set $to (local.get $contentEnd))
            (if (i32.eqz (local.get $open))
              (then
                ;; Unquoted: dotenv would cut it at a #; it must end with a printable ASCII
                ;; character (any other might be space that dotenv trims).
                (if (i32.ne (local.get $hash) (i32.const -1)) (then (return (i32.const -1))))
                (if (i32.lt_u (local.get $v) (local.get $contentEnd))
                  (then
                    (if (i32.eqz (i32.and (i32.load8_u offset=64 (i32.load8_u (i32.sub (local.get $contentEnd) (i32.const 1)))) (global.get $EDGE)))
                      (then (return (i32.const -1)))))))
              (else
                ;; Quoted. dotenv's `\s*Q(?:\\Q|[^Q])*Q\s*(?:#.*)?$` takes the first quote of the
                ;; kind after the opening one (on this line, or the next one after it), and backs
                ;; off over any taken with a backslash before it: such a quote is not plain.
                (if (i32.eq (local.get $close) (i32.const -1))
                  (then (local.set $close (call $quoteAt (local.get $open) (local.get $contentEnd) (local.get $end)))))
                (if (i32.ne (local.get $close) (i32.const -1))
                  (then
                    (if (i32.eq (i32.load8_u (i32.sub (local.get $close) (i32.const 1))) (i32.const 0x5c))
                      (then (return (i32.const -1))))))
                (if (i32.and (i32.ne (local.get $close) (i32.const -1)) (i32.lt_u (local.get $close) (local.get $contentEnd)))
                  (then
                    ;; Closed on its line: the value is what the quotes hold, and only space may
                    ;; follow them (text makes dotenv keep the quotes, a comment is not plain).
                    (local.set $i (i32.add (local.get $close) (i32.const 1)))
                    (block $tailEnd
                      (loop $tail
                        (br_if $tailEnd (i32.ge_u (local.get $i) (local.get $contentEnd)))
                        (if (i32.eqz (i32.and (i32.load8_u offset=64 (i32.load8_u (local.get $i))) (global.get $SPACE)))
                          (then (return (i32.const -1))))
                        (local.set $i (i32.add (local.get $i) (i32.const 1)))
                        (br $tail)))
                    ;; dotenv turns \n and \r in a double-quoted value into line breaks.
                    (if (i32.and (i32.eq (local.get $open) (i32.const 0x22)) (i32.lt_u (local.get $backslash) (local.get $close)))
                      (then (return (i32.const -1))))
                    (local.set $from (i32.add (local.get $v) (i32.const 1)))
                    (local.set $to (local.get $close)))
                  (else
                    ;; Not closed on its line. The quote found next (on a later line) closes it
                    ;; unless a character other than space or # follows it; when none is found,
                    ;; or that one does not close it, dotenv reads the line as an unquoted value,
                    ;; opening quote included, and encodeEnv warns.
                    (if (i32.ne (local.get $close) (i32.const -1))
                      (then
                        (if (i32.ge_u (i32.add (local.get $close) (i32.const 1)) (local.get $end)) (then (return (i32.const -1))))
                        (local.set $c (i32.load8_u offset=1 (local.get $close)))
                        (if (i32.or (i32.eqz (i32.and (i32.load8_u offset=64 (local.get $c)) (global.get $EDGE)))
                                    (i32.eq (local.get $c) (i32.const 0x23)))
                          (then (return (i32.const -1))))))
                    ;; Then as an unquoted value; and no backslash in a double-quoted one.
                    (if (i32.ne (local.get $hash) (i32.const -1)) (then (return (i32.const -1))))
                    (if (i32.and (i32.eq (local.get $open) (i32.const 0x22)) (i32.ne (local.get $backslash) (i32.const -1)))
                      (then (return (i32.const -1))))
                    (if (i32.eqz (i32.and (i32.load8_u offset=64 (i32.load8_u (i32.sub (local.get $contentEnd) (i32.const 1)))) (global.get $EDGE)))
                      (then (return (i32.const -1))))
                    (i32.store (i32.add (local.get $warns) (i32.shl (global.get $warnCount) (i32.const 2))) (global.get $line))
                    (global.set $warnCount (i32.add (global.get $warnCount) (i32.const 1)))
                    (memory.copy (global.get $names) (local.get $s) (i32.sub (local.get $nameEnd) (local.get $s)))
                    (global.set $names (i32.add (global.get $names) (i32.sub (local.get $nameEnd) (local.get $s))))
                    (i32.store8 (global.get $names) (i32.const 0x0a))
                    (global.set $names (i32.add (global.get $names) (i32.const 1)))))))
            ;; Defined before, in any case? dotenv keeps the last; encodeEnv reports it: not plain.
            (if (i32.gt_u (i32.shl (i32.add (global.get $count) (i32.const 1)) (i32.const 1)) (i32.add (local.get $mask) (i32.const 1)))
              (then (return (i32.const -3))))
            (local.set $slot (i32.and (local.get $h) (local.get $mask)))
            (block $free
              (loop $probe
                (local.set $other (i32.load (i32.add (local.get $slots) (i32.shl (local.get $slot) (i32.const 2)))))
                (br_if $free (i32.eqz (local.get $other)))
                (local.set $rec (i32.add (local.get $bounds) (i32.shl (i32.sub (local.get $other) (i32.const 1)) (i32.const 3))))
                (if (i32.eq (i32.sub (i32.load offset=4 (local.get $rec)) (i32.load (local.get $rec)))
                            (i32.sub (local.get $nameEnd) (local.get $s)))
                  (then
                    (if (call $sameName (i32.load (local.get $rec)) (local.get $s) (i32.sub (local.get $nameEnd) (local.get $s)))
                      (then (return (i32.const -1))))))
                (local.set $slot (i32.and (i32.add (local.get $slot) (i32.const 1)) (local.get $mask)))
                (br $probe)))
            (local.set $rec (i32.add (local.get $bounds) (i32.shl (global.get $count) (i32.const 3))))
            (i32.store (local.get $rec) (local.get $s))
            (i32.store offset=4 (local.get $rec) (local.get $nameEnd))
            (global.set $count (i32.add (global.get $count) (i32.const 1)))
            (i32.store (i32.add (local.get $slots) (i32.shl (local.get $slot) (i32.const 2))) (global.get $count))
            ;; SECRET_<name>=<base64 of the value>
            (local.set $lineStart (local.get $o))
            (i32.store (local.get $o) (i32.const 0x52434553)) ;; "SECR"
            (i32.store16 offset=4 (local.get $o) (i32.const 0x5445)) ;; "ET"
            (i32.store8 offset=6 (local.get $o) (i32.const 0x5f)) ;; "_"
            (local.set $o (i32.add (local.get $o) (i32.const 7)))
            (memory.copy (local.get $o) (local.get $s) (i32.sub (local.get $v) (local.get $s)))
            (local.set $o (i32.add (local.get $o) (i32.sub (local.get $v) (local.get $s))))
            (local.set $encoded (local.get $o))
            (local.set $k (local.get $from))
            (block $groupsDone
              (loop $groups
                (br_if $groupsDone (i32.gt_u (i32.add (local.get $k) (i32.const 3)) (local.get $to)))
                (local.set $x
                  (i32.or
                    (i32.or (i32.shl (i32.load8_u (local.get $k)) (i32.const 16))
                            (i32.shl (i32.load8_u offset=1 (local.get $k)) (i32.const 8)))
                    (i32.load8_u offset=2 (local.get $k))))
                (i32.store (local.get $o)
                  (i32.or
                    (i32.or (i32.load8_u (i32.shr_u (local.get $x) (i32.const 18)))
                            (i32.shl (i32.load8_u (i32.and (i32.shr_u (local.get $x) (i32.const 12)) (i32.const 63))) (i32.const 8)))
                    (i32.or (i32.shl (i32.load8_u (i32.and (i32.shr_u (local.get $x) (i32.const 6)) (i32.const 63))) (i32.const 16))
                            (i32.shl (i32.load8_u (i32.and (local.get $x) (i32.const 63))) (i32.const 24)))))
                (local.set $o (i32.add (local.get $o) (i32.const 4)))
                (local.set $k (i32.add (local.get $k) (i32.const 3)))
                (br $groups)))
            (if (i32.lt_u (local.get $k) (local.get $to))
              (then
                ;; The last one or two bytes, padded with `=`.
                (local.set $x (i32.shl (i32.load8_u (local.get $k)) (i32.const 16)))
                (if (i32.lt_u (i32.add (local.get $k) (i32.const 1)) (local.get $to))
                  (then (local.set $x (i32.or (local.get $x) (i32.shl (i32.load8_u offset=1 (local.get $k)) (i32.const 8))))))
                (i32.store8 (local.get $o) (i32.load8_u (i32.shr_u (local.get $x) (i32.const 18))))
                (i32.store8 offset=1 (local.get $o) (i32.load8_u (i32.and (i32.shr_u (local.get $x) (i32.const 12)) (i32.const 63))))
                (i32.store8 offset=2 (local.get $o)
                  (select
                    (i32.load8_u (i32.and (i32.shr_u (local.get $x) (i32.const 6)) (i32.const 63)))
                    (i32.const 0x3d)
                    (i32.lt_u (i32.add (local.get $k) (i32.const 1)) (local.get $to))))
                (i32.store8 offset=3 (local.get $o) (i32.const 0x3d))
                (local.set $o (i32.add (local.get $o) (i32.const 4)))))
            (if (i32.ge_u (i32.add (i32.sub (local.get $o) (local.get $lineStart)) (i32.const 1)) (global.get $KUBECTL_MAX_LINE_BYTES))
              (then
                ;; Long enough for checkLimits to look at: plain.ts makes it an entry.
                (if (i32.ge_u (global.get $longCount) (local.get $longCap)) (then (return (i32.const -4))))
                (local.set $rec (i32.add (local.get $longs) (i32.mul (global.get $longCount) (i32.const 20))))
                (i32.store (local.get $rec) (global.get $line))
                (i32.store offset=4 (local.get $rec) (local.get $s))
                (i32.store offset=8 (local.get $rec) (local.get $nameEnd))
                (i32.store offset=12 (local.get $rec) (local.get $encoded))
                (i32.store offset=16 (local.get $rec) (local.get $o))
                (global.set $longCount (i32.add (global.get $longCount) (i32.const 1))))))
          (else
            ;; White space, then a comment or nothing.
            (local.set $i (local.get $s))
            (block $spaceEnd
              (loop $space
                (br_if $spaceEnd (i32.ge_u (local.get $i) (local.get $end)))
                (br_if $spaceEnd (i32.eqz (i32.and (i32.load8_u offset=64 (i32.load8_u (local.get $i))) (global.get $SPACE))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $space)))
            (local.set $to (local.get $s))
            (local.set $q (local.get $i))
            (if (i32.lt_u (local.get $i) (local.get $end))
              (then
                (local.set $c (i32.load8_u (local.get $i)))
                (if (i32.eq (local.get $c) (i32.const 0x23))
                  (then
                    ;; A comment, up to LF or CRLF; no NUL, lone CR, U+2028 or U+2029 in it.
                    (block $commentEnd
                      (loop $comment
                        (local.set $q (i32.add (local.get $q) (i32.const 1)))
                        (if (i32.ge_u (local.get $q) (local.get $end))
                          (then (local.set $to (local.get $q)) (br $commentEnd)))
                        (local.set $c (i32.load8_u (local.get $q)))
                        (if (i32.eq (local.get $c) (i32.const 0x0a))
                          (then (local.set $to (local.get $q)) (br $commentEnd)))
                        (if (i32.eq (local.get $c) (i32.const 0x0d))
                          (then
                            (if (i32.and (i32.lt_u (i32.add (local.get $q) (i32.const 1)) (local.get $end))
                                         (i32.eq (i32.load8_u offset=1 (local.get $q)) (i32.const 0x0a)))
                              (then
                                (local.set $to (local.get $q))
                                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                                (br $commentEnd)))
                            (return (i32.const -1))))
                        (if (i32.eqz (local.get $c)) (then (return (i32.const -1))))
                        (if (i32.eq (local.get $c) (i32.const 0xe2))
                          (then (if (call $separator (local.get $q) (local.get $end)) (then (return (i32.const -1))))))
                        (br $comment)))
                    ;; Copied from the start of the line to its last non-space character, which
                    ;; must be ASCII: a non-ASCII one might be white space that encodeEnv trims.
                    (block $trimmed
                      (loop $trim
                        (br_if $trimmed (i32.eqz (i32.and (i32.load8_u offset=64 (i32.load8_u (i32.sub (local.get $to) (i32.const 1)))) (global.get $SPACE))))
                        (local.set $to (i32.sub (local.get $to) (i32.const 1)))
                        (br $trim)))
                    (if (i32.ge_u (i32.load8_u (i32.sub (local.get $to) (i32.const 1))) (i32.const 0x80))
                      (then (return (i32.const -1))))
                    (memory.copy (local.get $o) (local.get $s) (i32.sub (local.get $to) (local.get $s)))
                    (local.set $o (i32.add (local.get $o) (i32.sub (local.get $to) (local.get $s)))))
                  (else
                    ;; A blank line ends here, at LF or CRLF; anything else is not plain.
                    (if (i32.eq (local.get $c) (i32.const 0x0d))
                      (then
                        (if (i32.eqz (i32.and (i32.lt_u (i32.add (local.get $q) (i32.const 1)) (local.get $end))
                                              (i32.eq (i32.load8_u offset=1 (local.get $q)) (i32.const 0x0a))))
                          (then (return (i32.const -1))))
                        (local.set $q (i32.add (local.get $q) (i32.const 1))))
                      (else
                        (if (i32.ne (local.get $c) (i32.const 0x0a)) (then (return (i32.const -1)))))))))
              (else
                ;; The empty piece after the last line break is not a line.
                (br_if $done (i32.eq (local.get $s) (local.get $end)))))))
        ;; The line break, in the input's style.
        (if (local.get $crlf)
          (then
            (i32.store8 (local.get $o) (i32.const 0x0d))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))))
        (i32.store8 (local.get $o) (i32.const 0x0a))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (global.set $line (i32.add (global.get $line) (i32.const 1)))
        (local.set $p (i32.add (local.get $q) (i32.const 1)))
        (br $lines)))
    (global.set $o (local.get $o))
    (i32.const 0))
)
