// builtin_main.h: the main of a plugin program around one of protoc's
// built-in generators (protoc-gen-python, protoc-gen-pyi).
//
// PluginMain would do, but for one difference: protoc fills json_name of
// every field in the CodeGeneratorRequest it sends plugins, while its
// built-in generators see descriptors where json_name is set only when the
// .proto sets it, and the Python generator embeds the serialized descriptor.
// So json_name equal to the default (the name in lowerCamelCase) is cleared
// before the generator runs, and the output is what protoc --python_out and
// --pyi_out write, byte for byte. (A .proto that sets json_name explicitly to
// its default value is the one case left different.)
#include <google/protobuf/compiler/code_generator.h>
#include <google/protobuf/compiler/plugin.h>
#include <google/protobuf/compiler/plugin.pb.h>
#include <google/protobuf/descriptor.pb.h>

#include <cstdio>
#include <iostream>
#include <string>

namespace builtin_plugin {

using google::protobuf::DescriptorProto;
using google::protobuf::FieldDescriptorProto;

// The JSON name protoc gives a field by default: '_' dropped, the next letter upper case.
inline std::string default_json_name(const std::string &name)
{
	std::string out;
	bool upper = false;
	for (char c : name) {
		if (c == '_') {
			upper = true;
			continue;
		}
		out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
		upper = false;
	}
	return out;
}

inline void clear_default(FieldDescriptorProto *f)
{
	if (f->has_json_name() && f->json_name() == default_json_name(f->name()))
		f->clear_json_name();
}

inline void clear_message(DescriptorProto *m)
{
	for (auto &f : *m->mutable_field())
		clear_default(&f);
	for (auto &f : *m->mutable_extension())
		clear_default(&f);
	for (auto &n : *m->mutable_nested_type())
		clear_message(&n);
}

inline int run(const google::protobuf::compiler::CodeGenerator &generator)
{
	google::protobuf::compiler::CodeGeneratorRequest request;
	google::protobuf::compiler::CodeGeneratorResponse response;
	if (!request.ParseFromIstream(&std::cin)) {
		std::cerr << "protoc-gen: cannot read the CodeGeneratorRequest from stdin\n";
		return 1;
	}
	for (auto &file : *request.mutable_proto_file()) {
		for (auto &m : *file.mutable_message_type())
			clear_message(&m);
		for (auto &f : *file.mutable_extension())
			clear_default(&f);
	}
	std::string error;
	if (!google::protobuf::compiler::GenerateCode(request, generator, &response, &error)) {
		std::cerr << "protoc-gen: " << error << "\n";
		return 1;
	}
	if (!response.SerializeToOstream(&std::cout)) {
		std::cerr << "protoc-gen: cannot write the CodeGeneratorResponse\n";
		return 1;
	}
	return 0;
}

} // namespace builtin_plugin
