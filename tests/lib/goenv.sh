# The go command as a GOPROXY client, offline: serve a directory with nginx
# (using ops/nginx/goproxy-locations.conf), point GOPROXY at it, and take
# google.golang.org/protobuf from Debian's source through a replace directive.
#   nginx_start DIR      serves DIR on a free loopback port; sets NGINX_PORT, NGINX_PID
#   nginx_stop           stops it by its pid
#   cache_start PORT     a caching proxy (nginx proxy_cache, honouring the origin's
#                        Cache-Control, as a CDN does) in front of 127.0.0.1:PORT;
#                        sets CACHE_PORT, CACHE_PID; answers carry X-Cache-Status
#   cache_stop           stops it by its pid
#   go_env PROXY_URL     exports GOPROXY (PROXY_URL, then the stub proxy), GOSUMDB=off, ...
#   make_consumer DIR IMPORT  writes a program importing the generated package IMPORT
#   consumer_gomod DIR   writes only the consumer's go.mod

nginx_start() {
  local root=$1 conf="$TMP/nginx" attempt
  mkdir -p "$conf"
  for attempt in 1 2 3 4 5; do
    nginx_try_start "$root" "$conf" && return 0
  done
  return 1
}

# nginx_conf_head DIR: the top of an nginx.conf that keeps all its files in DIR
# (the caller closes the http block).
nginx_conf_head() {
  local conf=$1
  cat <<CONF
daemon off;
master_process off;
worker_processes 1;
error_log $conf/error.log;
pid $conf/nginx.pid;
events { worker_connections 64; }
http {
  access_log $conf/access.log;
  client_body_temp_path $conf;
  proxy_temp_path $conf;
  fastcgi_temp_path $conf;
  uwsgi_temp_path $conf;
  scgi_temp_path $conf;
CONF
}

nginx_try_start() {
  local root=$1 conf=$2
  NGINX_PORT=$(pg_free_port)
  { nginx_conf_head "$conf"; cat <<CONF; } >"$conf/nginx.conf"
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $root;
    include $ROOT/ops/nginx/goproxy-locations.conf;
    include $ROOT/ops/nginx/npm-locations.conf;
    include $ROOT/ops/nginx/python-locations.conf;
  }
}
CONF
  nginx -c "$conf/nginx.conf" -p "$conf" 2>"$conf/start.log" &
  NGINX_PID=$!
  for _ in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$NGINX_PORT") 2>/dev/null; then return 0; fi
    kill -0 "$NGINX_PID" 2>/dev/null || { cat "$conf/start.log" >&2; wait "$NGINX_PID" 2>/dev/null; NGINX_PID=; return 1; }
    sleep 0.1
  done
  nginx_stop
  return 1
}

cache_start() {
  local upstream=$1 conf="$TMP/nginx-cache" attempt
  mkdir -p "$conf/cache"
  for attempt in 1 2 3 4 5; do
    CACHE_PORT=$(pg_free_port)
    # The shipped CDN configuration (ops/nginx/cdn-*.conf), purges included.
    { echo "load_module /usr/lib/nginx/modules/ngx_http_cache_purge_module.so;"
      nginx_conf_head "$conf"; cat <<CONF; } >"$conf/nginx.conf"
  proxy_cache_path $conf/cache levels=1:2 keys_zone=remotegen:1m;
  server {
    listen 127.0.0.1:$CACHE_PORT;
    location / {
      proxy_pass http://127.0.0.1:$upstream;
      proxy_cache remotegen;
      include $ROOT/ops/nginx/cdn-cache-location.conf;
    }
    include $ROOT/ops/nginx/cdn-purge-location.conf;
  }
}
CONF
    nginx -c "$conf/nginx.conf" -p "$conf" 2>"$conf/start.log" &
    CACHE_PID=$!
    for _ in $(seq 1 50); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$CACHE_PORT") 2>/dev/null; then return 0; fi
      kill -0 "$CACHE_PID" 2>/dev/null || break
      sleep 0.1
    done
    cache_stop
  done
  return 1
}

cache_stop() {
  [ -n "${CACHE_PID:-}" ] || return 0
  kill "$CACHE_PID" 2>/dev/null || true
  wait "$CACHE_PID" 2>/dev/null || true
  CACHE_PID=
}

nginx_stop() {
  [ -n "${NGINX_PID:-}" ] || return 0
  kill "$NGINX_PID" 2>/dev/null || true
  wait "$NGINX_PID" 2>/dev/null || true
  NGINX_PID=
}

# Modules google.golang.org/protobuf's go.mod names: the go command reads
# only their go.mod files, so one-line stubs are enough.
GO_STUB_MODULES="github.com/golang/protobuf@v1.5.0 github.com/google/go-cmp@v0.5.5"

go_env() {
  local stubs="$TMP/gostubs" mv m v
  for mv in $GO_STUB_MODULES; do
    m=${mv%@*}
    v=${mv#*@}
    mkdir -p "$stubs/$m/@v"
    echo "module $m" >"$stubs/$m/@v/$v.mod"
    echo "{\"Version\":\"$v\"}" >"$stubs/$m/@v/$v.info"
  done
  export GOPROXY="$1,file://$stubs"
  export GOSUMDB=off GOFLAGS=-mod=mod GONOSUMDB= GOPRIVATE= GOTOOLCHAIN=local
  export GOPATH="$TMP/gopath" GOCACHE="$RUN_TMP/gocache" GOENV=off
  export HOME="$TMP"
}

# consumer_gomod DIR: a consumer module's go.mod, google.golang.org/protobuf from Debian.
consumer_gomod() {
  mkdir -p "$1"
  cat >"$1/go.mod" <<MOD
module example.com/consumer

go 1.19

replace google.golang.org/protobuf => /usr/share/gocode/src/google.golang.org/protobuf
MOD
}

make_consumer() {
  local dir=$1 import=$2
  consumer_gomod "$dir"
  cat >"$dir/main.go" <<GO
package main

import (
	"fmt"

	weatherv1 "$import"
	"google.golang.org/protobuf/proto"
)

func main() {
	f := &weatherv1.Forecast{City: "Oslo", Celsius: -3.5, Sky: weatherv1.Sky_SKY_CLOUDY}
	b, err := proto.Marshal(f)
	if err != nil {
		panic(err)
	}
	var g weatherv1.Forecast
	if err := proto.Unmarshal(b, &g); err != nil {
		panic(err)
	}
	fmt.Printf("city=%s celsius=%.1f sky=%s bytes=%d\n", g.GetCity(), g.GetCelsius(), g.GetSky(), len(b))
}
GO
}
