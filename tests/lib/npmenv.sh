# npm packages published by remotegen and installed with the real clients:
# npm 11 (the machine's), pnpm and tsc from node_modules, on Node.js 24 from
# node_modules. Our scope comes from the registry under test; other packages
# (@bufbuild/protobuf) from the npm registry, through the machine's npm cache.
#   setup_es_template          registers protoc-gen-es (ops/plugins/protoc-gen-es, in bwrap)
#                              as bufbuild/es and template bufbuild/es v1 with ES_PARAM
#   push_alerts                pushes acme/alerts, which imports acme/weather (--dep)
#   npm_consumer DIR URL       a Node project whose @remotegen scope comes from URL
#   node_program DIR           writes DIR/main.ts and runs it (after tsc) on Node.js 24:
#                              round-trips an Alert holding a Forecast; prints one line
#   pnpm_cmd ARGS...           pnpm on Node.js 24

ES_VERSION=2.17.0
ES_PARAM="target=js+dts,import_extension=js"
NODE24="$ROOT/node_modules/node/bin/node"
NPM_CACHE=${NPM_CACHE:-$(npm config get cache)}
export NPM_CACHE
WEATHER_PKG=@remotegen/acme_weather.bufbuild_es
ALERTS_PKG=@remotegen/acme_alerts.bufbuild_es

setup_es_template() {
  rg plugin add bufbuild/es "v$ES_VERSION" --exec "$ROOT/ops/plugins/protoc-gen-es" \
    --ro-path "$ROOT/node_modules" --npm-dep "@bufbuild/protobuf@^$ES_VERSION" --memory 8G
  assert_rc 0
  rg template create bufbuild/es --plugin "bufbuild/es=$ES_PARAM"
  assert_rc 0
  rg template version bufbuild/es --plugin "bufbuild/es:v$ES_VERSION"
  assert_rc 0
}

alerts_source() {
  mkdir -p "$TMP/alerts/acme/alerts/v1"
  cat >"$TMP/alerts/acme/alerts/v1/alerts.proto" <<'PROTO'
syntax = "proto3";

// Alerts about forecasts: a module that depends on acme/weather.
package acme.alerts.v1;

import "acme/weather/v1/weather.proto";

message Alert {
  string text = 1;
  acme.weather.v1.Forecast forecast = 2;
}
PROTO
}

push_alerts() {
  alerts_source
  rg module push acme/alerts "$TMP/alerts" --dep acme/weather
  assert_rc 0
}

npm_consumer() {
  local dir=$1 url=$2
  mkdir -p "$dir"
  cat >"$dir/package.json" <<'JSON'
{ "name": "consumer", "version": "1.0.0", "private": true, "type": "module" }
JSON
  cat >"$dir/.npmrc" <<RC
@remotegen:registry=$url
cache=$NPM_CACHE
prefer-offline=true
audit=false
fund=false
update-notifier=false
RC
  cat >"$dir/tsconfig.json" <<'JSON'
{ "compilerOptions": { "module": "nodenext", "moduleResolution": "nodenext", "target": "es2022",
    "strict": true, "skipLibCheck": false, "outDir": "out" }, "files": ["main.ts"] }
JSON
}

node_program() {
  local dir=$1
  cat >"$dir/main.ts" <<'TS'
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { AlertSchema, type Alert } from "@remotegen/acme_alerts.bufbuild_es/acme/alerts/v1/alerts_pb.js";
import { ForecastSchema, Sky } from "@remotegen/acme_weather.bufbuild_es/acme/weather/v1/weather_pb.js";

const forecast = create(ForecastSchema, { city: "Oslo", celsius: -3.5, sky: Sky.CLOUDY });
const alert: Alert = create(AlertSchema, { text: "snow", forecast });
const bytes = toBinary(AlertSchema, alert);
const back = fromBinary(AlertSchema, bytes);
const f = back.forecast!;
console.log(`text=${back.text} city=${f.city} celsius=${f.celsius} sky=${Sky[f.sky]} bytes=${bytes.length}`);
TS
  (cd "$dir" && "$NODE24" "$ROOT/node_modules/typescript/bin/tsc" -p . >"$TMP/tsc.log" 2>&1) ||
    fail "tsc: $(cat "$TMP/tsc.log")"
  (cd "$dir" && "$NODE24" out/main.js)
}

pnpm_cmd() {
  "$NODE24" "$ROOT/node_modules/pnpm/bin/pnpm.cjs" "$@"
}
