/* Unit tests: managed-mode go_package derivation and Go plugin parameters. */
#include "gopkg.h"
#include "request.h"
#include "unit.h"

#include <stdlib.h>

int main(void)
{
	char *s;
	CHECK_STR(s = gopkg_name("acme.weather.v1", "acme/weather/v1/w.proto"), "weatherv1");
	free(s);
	CHECK_STR(s = gopkg_name("acme.weather", "acme/weather/w.proto"), "weather");
	free(s);
	CHECK_STR(s = gopkg_name("google.type", "google/type/date.proto"), "typepb");
	free(s);
	CHECK_STR(s = gopkg_name("acme.go", "x.proto"), "gopb");
	free(s);
	CHECK_STR(s = gopkg_name("acme.types", "x.proto"), "types");
	free(s);
	CHECK_STR(s = gopkg_name("acme.pay.v1beta1", "x.proto"), "payv1beta1");
	free(s);
	CHECK_STR(s = gopkg_name("acme.v2", "x.proto"), "acmev2");
	free(s);
	CHECK_STR(s = gopkg_name("v1", "x.proto"), "v1");
	free(s);
	CHECK_STR(s = gopkg_name("acme.Weather-Data", "x.proto"), "weather_data");
	free(s);
	CHECK_STR(s = gopkg_name("", "dir/my-file.proto"), "my_file");
	free(s);
	CHECK_STR(s = gopkg_name(NULL, "9lives.proto"), "_9lives");
	free(s);

	CHECK_STR(s = gopkg_option("gen.example.com/go/p/go/acme/weather", "acme/weather/v1/weather.proto",
				   "acme.weather.v1"),
		  "gen.example.com/go/p/go/acme/weather/acme/weather/v1;weatherv1");
	free(s);
	CHECK_STR(s = gopkg_option("m.example.com/x", "top.proto", "top"), "m.example.com/x;top");
	free(s);

	CHECK(gopkg_is_wkt("google/protobuf/timestamp.proto"));
	CHECK(!gopkg_is_wkt("google/type/date.proto"));
	CHECK(!gopkg_is_wkt("acme/google/protobuf/x.proto"));

	CHECK_STR(s = request_go_parameter(NULL), "paths=source_relative");
	free(s);
	CHECK_STR(s = request_go_parameter(""), "paths=source_relative");
	free(s);
	CHECK_STR(s = request_go_parameter("require_unimplemented_servers=false"),
		  "require_unimplemented_servers=false,paths=source_relative");
	free(s);
	CHECK_STR(s = request_go_parameter("paths=import,module=x"), "module=x,paths=source_relative");
	free(s);
	return unit_done("gopkg");
}
