#!/bin/sh
# make check-style: banned functions and file headers in remotegen's C code.
#  - unsafe or locale/thread-unsafe string and time functions are banned
#    (use snprintf, struct buf, gmtime_r, strtol...);
#  - string-built SQL is banned: PQexec only in pipeline/migrate.c (fixed,
#    embedded migration scripts) and pipeline/db.c (a fixed SET at connect);
#  - atoi and friends (no error, undefined on overflow: use lib/num.h) and the
#    *rand48 family (one hidden state shared by threads: use lib/jitter.h);
#  - floors: libpq only in pipeline/; getenv only in pipeline/config.c
#    (configuration is read once and handed down);
#  - every .c/.h file is formatted as .clang-format says (clang-format 14);
#  - every .c/.h file starts with a comment saying what it is for;
#  - every exported function carries its module's prefix.
cd "$(dirname "$0")/.." || exit 2
status=0
files=$(ls lib/*.[ch] pipeline/*.[ch] workers/*.[ch] publisher/*/*.[ch] tests/unit/*.[ch] tests/tools/*.c 2>/dev/null)
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|strncpy|strncat|atoi|atol|atoll|gmtime|localtime|ctime|asctime|tmpnam|mktemp|system|popen|rand|srand|drand48|erand48|lrand48|nrand48|mrand48|jrand48|srand48)\s*\('
for f in $files; do
  case "$f" in tests/tools/*) continue ;; esac  # test helpers may be quick and dirty
  if grep -nE "$banned" "$f" | grep -v 'check-style: allow'; then
    echo "check-style: $f uses a banned function (see ops/check-style.sh)"
    status=1
  fi
done
for f in $files; do
  case "$f" in pipeline/migrate.c|pipeline/db.c) continue ;; esac
  if grep -n 'PQexec(' "$f"; then
    echo "check-style: $f calls PQexec: use db_exec (PQexecParams) with parameters"
    status=1
  fi
done
for f in $(ls lib/*.[ch] workers/*.[ch] publisher/*/*.[ch]); do
  if grep -nE 'libpq-fe\.h|\bPQ[a-z]+\(|PGconn|PGresult' "$f"; then
    echo "check-style: $f uses libpq: only pipeline/ talks to PostgreSQL"
    status=1
  fi
done
for f in $files; do
  case "$f" in pipeline/config.c|tests/*) continue ;; esac
  if grep -nE '\b(secure_)?getenv\s*\(' "$f" | grep -v 'check-style: allow'; then
    echo "check-style: $f reads the environment: add it to pipeline/config.c and hand it down"
    status=1
  fi
done
if command -v clang-format >/dev/null 2>&1; then
  for f in $files; do
    if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
      echo "check-style: $f is not formatted as .clang-format says (run: clang-format -i $f)"
      status=1
    fi
  done
else
  echo "check-style: clang-format is missing (ops/install-deps.sh installs it)"
  status=1
fi
for f in $files; do
  if ! head -n 1 "$f" | grep -q '^/\*'; then
    echo "check-style: $f does not start with a comment saying what it is for"
    status=1
  fi
done
# Every function a header exports carries its module's prefix (named after the file;
# a few modules have a short prefix, util.h holds the allocation and buffer helpers).
for h in lib/*.h pipeline/*.h workers/*.h publisher/*/*.h; do
  base=$(basename "$h" .h)
  case "$base" in
    fsutil) prefixes="fs_" ;;
    queue|queue_sql) prefixes="queue_" ;;
    cli) prefixes="cli_ cmd_" ;;
    util) prefixes="err_ x buf_ strvec_ util_" ;;
    config) prefixes="config_" ;;
    store) prefixes="store_" ;;
    *) prefixes="${base}_" ;;
  esac
  names=$(grep -E '^[A-Za-z_][A-Za-z_0-9 \*]*[ \*][a-z_0-9]+\(' "$h" | grep -vE '^(typedef|struct|enum|static|#)' |
          sed -E 's/^([^(]*[ *])?([a-z_0-9]+)\(.*$/\2/')
  for n in $names; do
    ok=0
    for p in $prefixes; do case "$n" in "$p"*) ok=1 ;; esac; done
    if [ $ok = 0 ]; then
      echo "check-style: $h exports $n without the module prefix ($prefixes)"
      status=1
    fi
  done
done
[ $status = 0 ] && echo "check-style: ok ($(echo "$files" | wc -w) files)"
exit $status
