#!/bin/sh
# check-env: checks that an environment file (/etc/remotegen/env) means the
# same to systemd's EnvironmentFile= and to sh's `set -a; . FILE` (the cron
# line): every line blank, a # comment, or KEY=VALUE with VALUE bare (no
# blanks, quotes or characters the shell treats specially) or in double
# quotes with no " $ ` \ inside. Prints each bad line with its number and
# exits 1; exits 0 when the file is good.
#   sh ops/check-env.sh /etc/remotegen/env
[ $# -eq 1 ] || { echo "usage: check-env.sh FILE" >&2; exit 2; }
[ -r "$1" ] || { echo "check-env: $1: cannot read" >&2; exit 2; }
LC_ALL=C awk -v file="$1" '
  /^[ \t]*$/ || /^#/ { next }
  /^[A-Za-z_][A-Za-z0-9_]*=[^] \t"'"'"'$`\\;&|<>()#*?{}[~]*$/ { next }
  /^[A-Za-z_][A-Za-z0-9_]*="[^"$`\\]*"$/ { next }
  {
    bad++
    printf "%s:%d: not read the same by systemd and sh: %s\n", file, NR, $0 > "/dev/stderr"
    if ($0 ~ /^;/) print "  (; starts a comment for systemd, a command for sh: use #)" > "/dev/stderr"
    else if ($0 ~ /=.*[ \t]/ && $0 !~ /="/) print "  (a value with blanks needs double quotes)" > "/dev/stderr"
  }
  END { exit bad ? 1 : 0 }
' "$1"
