#!/usr/bin/env bash
# unit-sandbox: runs a shipped systemd unit's ExecStart= under the unit's
# restrictions, as far as a machine without systemd as PID 1 can reproduce
# them, so that a test proves the shipped hardening lets bwrap and the
# plugins run. Run as root; the command ends up running as USER.
#
#   unit-sandbox.sh UNIT --bin PATH --user USER --state DIR --env-file FILE \
#                   [--set Key=Value]... [--cmd 'COMMAND LINE']
#
#   --bin       replaces /usr/local/bin/remotegen in the command line
#   --state     the directory that stands for /var/lib/<StateDirectory=>
#               (bound there inside the sandbox, so the unit's own paths hold)
#   --env-file  stands for EnvironmentFile=; read with `set -a; .` (the cron
#               line's way; a file ops/check-env.sh accepts means the same to
#               systemd); the command gets that and systemd's few variables only
#   --set       adds or replaces a [Service] directive (to show a bad one fails)
#   --cmd       runs this instead of ExecStart= (the cron line, say)
#
# Reproduced: User=, UMask=, NoNewPrivileges=, CapabilityBoundingSet= (setpriv);
# RestrictAddressFamilies= and SystemCallArchitectures=native (seccomp, through
# tests/tools/afrestrict); ProtectSystem=strict, ReadWritePaths=, StateDirectory=,
# ProtectHome=, PrivateTmp=, PrivateDevices=, ProtectKernelTunables=,
# ProtectKernelLogs=, ProtectControlGroups=, ProtectKernelModules= (a private mount
# namespace). Not reproduced, listed so that a new directive is a decision:
# the service manager's own settings, and the seccomp filters of ProtectClock=,
# RestrictSUIDSGID=, RestrictRealtime=, LockPersonality= and ProtectHostname=
# (no call bwrap or a plugin makes is among the ones they refuse).
# A directive this script does not know is an error.
set -euo pipefail

unit=$1
shift
bin="" user="" state="" envfile="" cmd=""
declare -A set_kv=()
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2 ;;
    --user) user=$2 ;;
    --state) state=$2 ;;
    --env-file) envfile=$2 ;;
    --cmd) cmd=$2 ;;
    --set) set_kv[${2%%=*}]=${2#*=} ;;
    *) echo "unit-sandbox: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done

declare -A kv=()
section=""
while IFS= read -r line || [ -n "$line" ]; do
  case $line in
    '' | '#'* | ';'*) continue ;;
    '['*']') section=$line; continue ;;
  esac
  [ "$section" = "[Service]" ] || continue
  kv[${line%%=*}]=${line#*=}
done <"$unit"
for k in "${!set_kv[@]}"; do kv[$k]=${set_kv[$k]}; done

ignored=" Type KillSignal TimeoutStopSec Restart RestartSec ProtectClock RestrictSUIDSGID RestrictRealtime LockPersonality ProtectHostname Group "
applied=" User ExecStart EnvironmentFile StateDirectory UMask ProtectSystem ReadWritePaths ProtectHome PrivateTmp PrivateDevices NoNewPrivileges CapabilityBoundingSet RestrictAddressFamilies SystemCallArchitectures ProtectKernelTunables ProtectKernelLogs ProtectControlGroups ProtectKernelModules "
for k in "${!kv[@]}"; do
  case "$ignored$applied" in
    *" $k "*) ;;
    *) echo "unit-sandbox: $unit: directive $k= is not known here: reproduce it or list it as not reproduced" >&2; exit 2 ;;
  esac
done

on() { [ "${kv[$1]:-no}" = yes ] || [ "${kv[$1]:-no}" = true ]; }

[ -n "$cmd" ] || cmd=${kv[ExecStart]}
# The binaries are copied into the sandbox's own tmpfs first: the build tree
# may be under /tmp, which PrivateTmp= hides.
cmd=${cmd//\/usr\/local\/bin\/remotegen//run/unit-sandbox/bin/remotegen}
statedir=/var/lib/${kv[StateDirectory]%% *}

# Inside the private mount namespace (as root), then drop to the user.
inner() {
  set -euo pipefail
  # The environment systemd gives the service: its own few variables and the
  # environment file's, nothing inherited (but the sanitizers' options).
  local envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin "HOME=$statedir" "USER=$user" "LOGNAME=$user")
  local v
  for v in ASAN_OPTIONS UBSAN_OPTIONS; do [ -n "${!v:-}" ] && envs+=("$v=${!v}"); done
  while IFS= read -r -d '' v; do
    case $v in PWD=* | SHLVL=* | _=*) ;; *) envs+=("$v") ;; esac
  done < <(env -i /bin/sh -c 'set -a; . "$1"; exec env -0' sh "$envfile")
  # The state directory first: later mounts may hide where it comes from.
  mkdir -p /run/unit-sandbox
  mount -n -t tmpfs -o mode=755 tmpfs /run/unit-sandbox
  mkdir /run/unit-sandbox/state /run/unit-sandbox/bin
  mount -n --bind "$state" /run/unit-sandbox/state
  cp "$bin" /run/unit-sandbox/bin/remotegen
  cp "$TOOLS/afrestrict" /run/unit-sandbox/bin/afrestrict
  if [ "${kv[ProtectSystem]:-no}" = strict ]; then
    # Every mount read-only but the API file systems.
    awk '{print $5}' /proc/self/mountinfo | while read -r mp; do
      case $mp in /proc | /proc/* | /sys | /sys/* | /dev | /dev/* | /run/unit-sandbox*) continue ;; esac
      mount -n -o remount,bind,ro "$mp" 2>/dev/null || true
    done
  fi
  if on ProtectHome; then
    for d in /home /root /run/user; do [ -d "$d" ] && mount -n -t tmpfs -o ro,mode=755 tmpfs "$d"; done
  fi
  if on PrivateTmp; then
    mount -n -t tmpfs -o mode=1777 tmpfs /tmp
    mount -n -t tmpfs -o mode=1777 tmpfs /var/tmp
  fi
  if on PrivateDevices; then
    mkdir /run/unit-sandbox/dev
    mount -n -t tmpfs -o mode=755 tmpfs /run/unit-sandbox/dev
    for n in null zero full random urandom tty; do
      touch "/run/unit-sandbox/dev/$n"
      mount -n --bind "/dev/$n" "/run/unit-sandbox/dev/$n"
    done
    mkdir /run/unit-sandbox/dev/pts /run/unit-sandbox/dev/shm
    chmod 1777 /run/unit-sandbox/dev/shm
    mount -n --move /run/unit-sandbox/dev /dev
  fi
  on ProtectKernelTunables && mount -n --bind /proc/sys /proc/sys && mount -n -o remount,bind,ro /proc/sys
  on ProtectKernelLogs && mount -n --bind /dev/null /proc/kmsg
  on ProtectControlGroups && mount -n --bind /sys/fs/cgroup /sys/fs/cgroup && mount -n -o remount,bind,ro /sys/fs/cgroup
  if on ProtectKernelModules && [ -d /usr/lib/modules ]; then mount -n -t tmpfs -o ro tmpfs /usr/lib/modules; fi
  # StateDirectory= and ReadWritePaths=: the state directory, writable, where the unit expects it.
  mount -n -t tmpfs -o mode=755 tmpfs /var/lib
  mkdir -p "$statedir"
  mount -n --bind /run/unit-sandbox/state "$statedir"
  for sub in ${kv[StateDirectory]}; do
    mkdir -p "/var/lib/$sub"
    chown "$user:" "/var/lib/$sub"
  done
  for p in ${kv[ReadWritePaths]:-}; do
    p=${p#-}
    [ -e "$p" ] || continue
    mount -n --bind "$p" "$p"
    mount -n -o remount,bind,rw "$p"
  done

  local priv=(setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups --inh-caps=-all)
  on NoNewPrivileges && priv+=(--no-new-privs)
  [ "${kv[CapabilityBoundingSet]-unset}" = "" ] && priv+=(--bounding-set=-all)
  local filter=()
  if [ -n "${kv[RestrictAddressFamilies]:-}" ]; then
    filter=(/run/unit-sandbox/bin/afrestrict "${kv[RestrictAddressFamilies]// /,}" --)
  fi
  exec env -i "${envs[@]}" "${priv[@]}" "${filter[@]}" /bin/sh -c "umask ${kv[UMask]:-0022}; exec $cmd"
}

export -f inner on
export bin user state envfile cmd statedir
export KV_DUMP
KV_DUMP=$(declare -p kv)
exec unshare -m --propagation private bash -c 'eval "$KV_DUMP"; inner'
