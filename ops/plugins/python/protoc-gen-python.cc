// protoc-gen-python: protoc's built-in Python generator (--python_out) as a
// plugin program, so that remotegen runs it like any plugin (in the sandbox,
// with its limits). Built by ops/build-plugins.sh against libprotoc-dev; its
// output is protoc's own, byte for byte (see builtin_main.h; tests/e2e/python.sh).
#include "builtin_main.h"

#include <google/protobuf/compiler/python/generator.h>

int main()
{
	google::protobuf::compiler::python::Generator generator;
	return builtin_plugin::run(generator);
}
