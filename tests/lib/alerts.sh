# acme/alerts as the CommonJS and Python tests use it: a module importing
# acme/weather (ops/example) with a oneof, a map of the other module's message,
# a well-known Timestamp, a unary and a server-streaming method.
#   rich_alerts_source   writes it under $TMP/alerts
#   protoc_bin           one Alert, encoded by protoc --encode (stdout)
#   protoc_hex           the same as hex
#   protoc_decode        protoc --decode of an Alert on stdin
#   publish_official URL the official templates (ops/register-official-templates.sh),
#                        acme/weather and this acme/alerts, one run; npm links under URL

rich_alerts_source() {
  mkdir -p "$TMP/alerts/acme/alerts/v1"
  cat >"$TMP/alerts/acme/alerts/v1/alerts.proto" <<'PROTO'
syntax = "proto3";

// Alerts about forecasts: a module that depends on acme/weather.
package acme.alerts.v1;

import "acme/weather/v1/weather.proto";
import "google/protobuf/timestamp.proto";

message Alert {
  string text = 1;
  acme.weather.v1.Forecast forecast = 2;
  oneof level {
    int32 severity = 3;
    string note = 4;
  }
  map<string, acme.weather.v1.Forecast> by_city = 5;
  google.protobuf.Timestamp at = 6;
}

service AlertService {
  rpc Get(acme.weather.v1.GetForecastRequest) returns (Alert);
  rpc Watch(acme.weather.v1.GetForecastRequest) returns (stream Alert);
}
PROTO
}

# The same message through protoc --encode (and as hex).
protoc_bin() {
  printf '%s\n' 'text: "snow" forecast { city: "Oslo" celsius: -3.5 sky: SKY_CLOUDY } severity: 3' \
    'by_city { key: "Bergen" value { city: "Bergen" } } at { seconds: 1700000000 }' |
    protoc --encode=acme.alerts.v1.Alert -I "$TMP/alerts" -I "$ROOT/ops/example" acme/alerts/v1/alerts.proto
}
protoc_hex() {
  protoc_bin | od -An -v -tx1 | tr -d ' \n'
}

protoc_decode() {
  protoc --decode=acme.alerts.v1.Alert -I "$TMP/alerts" -I "$ROOT/ops/example" acme/alerts/v1/alerts.proto
}

publish_official() {
  export REMOTEGEN_NPM_URL=$1
  rg migrate
  bash "$ROOT/ops/register-official-templates.sh" "$REMOTEGEN" >"$TMP/register.log" 2>&1 ||
    fail "register-official-templates: $(cat "$TMP/register.log")"
  rg module push acme/weather "$ROOT/ops/example"
  assert_rc 0
  rich_alerts_source
  rg module push acme/alerts "$TMP/alerts" --dep acme/weather
  assert_rc 0
  rg run --once
  assert_rc 0
}
