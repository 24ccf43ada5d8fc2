# Differential test of remotegen's module rules (publisher/go/gorules.c) against
# Debian's golang.org/x/mod (golang-golang-x-mod-dev, with Go 1.19's Unicode
# tables): generated names through module.CheckFilePath / CheckImportPath /
# CheckPath, generated file sets through zip.CheckFiles, the same sets as
# zips through zip.CheckZip, and every code point. Zero disagreements.

XMOD_SRC=/usr/share/gocode/src/golang.org/x/mod

build_xmodref() {
  [ -d "$XMOD_SRC/zip" ] || fail "golang-golang-x-mod-dev is not installed ($XMOD_SRC)"
  GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$RUN_TMP/gocache" GOFLAGS= HOME="$TMP" \
    go build -o "$TMP/xmodref" "$ROOT/tests/tools/xmodref/main.go" >"$TMP/gobuild.log" 2>&1 ||
    fail "building the x/mod reference: $(cat "$TMP/gobuild.log")"
}

# agree A B WHAT: fails, showing the first differing lines, unless A and B are equal.
agree() {
  cmp -s "$1" "$2" && return 0
  diff "$1" "$2" >"$TMP/disagree" || true
  fail "$3: remotegen and x/mod disagree: $(head -n 6 "$TMP/disagree")"
}

test_paths_agree_with_x_mod() {
  build_xmodref
  "$TMP/xmodref" gen-paths 120000 20261201 >"$TMP/names"
  "$TMP/xmodref" paths <"$TMP/names" >"$TMP/go.out"
  "$TOOLS/gorulestool" paths <"$TMP/names" >"$TMP/rg.out"
  assert_eq 120000 "$(wc -l <"$TMP/go.out")" "verdicts"
  agree "$TMP/go.out" "$TMP/rg.out" "path checks"
  # The names must exercise both answers of every check.
  local file_ok import_ok module_ok
  file_ok=$(awk '$1 == 1' "$TMP/go.out" | wc -l)
  import_ok=$(awk '$2 == 1' "$TMP/go.out" | wc -l)
  module_ok=$(awk '$3 == 1' "$TMP/go.out" | wc -l)
  for n in "$file_ok" "$import_ok" "$module_ok"; do
    [ "$n" -gt 1000 ] && [ "$n" -lt 119000 ] || fail "generated names are too one-sided: $file_ok/$import_ok/$module_ok valid"
  done
  echo "note: 120000 generated names, 0 disagreements (valid as file $file_ok, import $import_ok, module $module_ok)"
}

test_file_sets_and_zips_agree_with_x_mod() {
  build_xmodref
  "$TMP/xmodref" gen-sets 30000 1201 >"$TMP/sets"
  "$TMP/xmodref" files <"$TMP/sets" >"$TMP/go.files"
  "$TOOLS/gorulestool" files <"$TMP/sets" >"$TMP/rg.files"
  assert_eq 30000 "$(wc -l <"$TMP/go.files")" "set verdicts"
  agree "$TMP/go.files" "$TMP/rg.files" "zip.CheckFiles"
  mkdir -p "$TMP/zips"
  "$TMP/xmodref" zips "$TMP/zips" <"$TMP/sets" >"$TMP/go.zips"
  "$TOOLS/gorulestool" zips <"$TMP/sets" >"$TMP/rg.zips"
  agree "$TMP/go.zips" "$TMP/rg.zips" "zip.CheckZip"
  local clean invalid omitted sized
  clean=$(grep -c '^-$' "$TMP/go.files")
  invalid=$(grep -c 'I:' "$TMP/go.files")
  omitted=$(grep -c 'O:' "$TMP/go.files")
  sized=$(grep -c 'S$' "$TMP/go.files")
  for n in "$clean" "$invalid" "$omitted" "$sized"; do
    [ "$n" -gt 50 ] || fail "generated sets are too one-sided: clean $clean, invalid $invalid, omitted $omitted, size $sized"
  done
  echo "note: 30000 file sets (clean $clean, with invalid files $invalid, with omitted files $omitted, too large $sized) and their zips, 0 disagreements"
}

test_every_code_point_agrees_with_x_mod() {
  build_xmodref
  "$TMP/xmodref" runes >"$TMP/go.runes"
  "$TOOLS/gorulestool" runes >"$TMP/rg.runes"
  # Same verdict for every code point; among valid ones, the same partition
  # into case-fold classes (remotegen's keys need not be x/mod's, only the
  # classes they draw).
  paste -d' ' "$TMP/go.runes" "$TMP/rg.runes" | awk '
    $1 != $4 { print "misaligned at " $1; bad++; exit }
    $2 != $5 { if (v++ < 5) print "verdict differs at U+" $1; bad++ }
    $2 == 1 {
      if (($3 in g) && g[$3] != $6) { if (f++ < 5) print "fold class differs at U+" $1; bad++ }
      if (($6 in c) && c[$6] != $3) { if (f++ < 5) print "fold class differs at U+" $1; bad++ }
      g[$3] = $6; c[$6] = $3; valid++
    }
    END { print "valid " valid; exit bad > 0 }' >"$TMP/runes.cmp" || fail "code points: $(head -n 6 "$TMP/runes.cmp")"
  local valid
  valid=$(sed -n 's/^valid //p' "$TMP/runes.cmp")
  [ "$valid" -gt 100000 ] || fail "only $valid valid code points"
  echo "note: $(wc -l <"$TMP/go.runes") code points, $valid valid in file names, 0 disagreements in verdicts and case-fold classes"
}
