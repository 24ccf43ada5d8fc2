// protoc-gen-pyi: protoc's built-in .pyi stub generator (--pyi_out) as a
// plugin program (see protoc-gen-python.cc and builtin_main.h).
#include "builtin_main.h"

#include <google/protobuf/compiler/python/pyi_generator.h>

int main()
{
	google::protobuf::compiler::python::PyiGenerator generator;
	return builtin_plugin::run(generator);
}
