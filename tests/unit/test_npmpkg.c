/* Unit tests: npm names, versions, keys, deterministic tarballs and packuments. */
#include "npmpkg.h"
#include "unit.h"

#include <stdlib.h>

static void fill(struct fileset *fs, int reversed)
{
	static const char *const names[] = { "b/b_pb.js", "a/a_pb.d.ts", "a/a_pb.js", "zzz.js" };
	for (int i = 0; i < 4; i++) {
		const char *n = names[reversed ? 3 - i : i];
		fileset_add(fs, n, n, strlen(n));
	}
}

int main(void)
{
	char err[ERR_SIZE];
	/* names */
	char *n = npmpkg_name("remotegen", "BufBuild", "ES", "Acme", "Weather.API", err);
	CHECK_STR(n, "@remotegen/acme_weather.api.bufbuild_es");
	CHECK(npmpkg_check_name(n, err) == 0);
	free(n);
	CHECK(npmpkg_check_name("@bufbuild/protobuf", err) == 0);
	CHECK(npmpkg_check_name("left-pad", err) == 0);
	CHECK(npmpkg_check_name("@Scope/x", err) < 0);
	CHECK(npmpkg_check_name("@scope/", err) < 0);
	CHECK(npmpkg_check_name("_x", err) < 0);
	CHECK(npmpkg_check_name("a b", err) < 0);
	CHECK_CONTAINS(err, "character ' ' is not allowed");
	CHECK(npmpkg_check_scope("my-co", err) == 0);
	CHECK(npmpkg_check_scope("My", err) < 0);
	char long_name[300];
	memset(long_name, 'a', 250);
	long_name[250] = '\0';
	CHECK(npmpkg_name("s", "t", "u", long_name, "v", err) == NULL);
	CHECK_CONTAINS(err, "1 to 214 characters");

	char *dn, *dr;
	CHECK(npmpkg_parse_dep("@bufbuild/protobuf@^2.17.0", &dn, &dr, err) == 0);
	CHECK_STR(dn, "@bufbuild/protobuf");
	CHECK_STR(dr, "^2.17.0");
	free(dn);
	free(dr);
	CHECK(npmpkg_parse_dep("@bufbuild/protobuf", &dn, &dr, err) < 0);
	CHECK(npmpkg_parse_dep("x@", &dn, &dr, err) < 0);
	CHECK(npmpkg_parse_dep("Bad@1", &dn, &dr, err) < 0);

	/* versions and keys */
	char *v = npmpkg_version(2, 10);
	CHECK_STR(v, "1.2.10");
	free(v);
	CHECK(npmpkg_version_cmp("1.2.10", "1.2.9") > 0);
	CHECK(npmpkg_version_cmp("1.10.1", "1.9.30") > 0);
	CHECK(npmpkg_version_cmp("1.1.1", "1.1.1") == 0);
	char *k = npmpkg_tarball_key("@s/a_b.c_d", "1.1.2");
	CHECK_STR(k, "npm/-/@s/a_b.c_d-1.1.2.tgz");
	free(k);
	k = npmpkg_packument_key("@s/a_b.c_d");
	CHECK_STR(k, "npm/@s/a_b.c_d");
	free(k);

	/* the same files in any order give the same bytes; package.json is inside */
	struct strvec peers = STRVEC_INIT, deps = STRVEC_INIT;
	strvec_push(&peers, "@bufbuild/protobuf@^2.17.0");
	strvec_push(&deps, "@s/z_z.c_d@1.1.3");
	strvec_push(&deps, "@s/a_a.c_d@1.1.1");
	struct npmpkg_meta meta = { .name = "@s/a_b.c_d", .version = "1.1.2", .peer_deps = &peers, .deps = &deps };
	struct fileset f1 = FILESET_INIT, f2 = FILESET_INIT;
	fill(&f1, 0);
	fill(&f2, 1);
	struct npmpkg p1, p2;
	CHECK(npmpkg_build(&p1, &meta, &f1, err) == 0);
	CHECK(npmpkg_build(&p2, &meta, &f2, err) == 0);
	CHECK(p1.tgz.len == p2.tgz.len && !memcmp(p1.tgz.data, p2.tgz.data, p1.tgz.len));
	CHECK_STR(p1.integrity, p2.integrity);
	CHECK(!strncmp(p1.integrity, "sha512-", 7) && strlen(p1.integrity) == 7 + 88);
	CHECK(strlen(p1.shasum) == 40);
	/* gzip without a timestamp: bytes 4..7 of the header are zero */
	CHECK(p1.tgz.len > 10 && !memcmp(p1.tgz.data + 4, "\0\0\0\0", 4));
	struct buf got = BUF_INIT;
	CHECK(npmpkg_read_file(p1.tgz.data, p1.tgz.len, "package.json", &got, err) == 0);
	CHECK(got.len == p1.manifest.len && !memcmp(got.data, p1.manifest.data, got.len));
	buf_addc(&got, '\0');
	/* dependencies sorted by name, exact versions; peers with their ranges */
	CHECK_CONTAINS(got.data,
		       "\"dependencies\": {\n    \"@s/a_a.c_d\": \"1.1.1\",\n    \"@s/z_z.c_d\": \"1.1.3\"\n  }");
	CHECK_CONTAINS(got.data, "\"peerDependencies\": {\n    \"@bufbuild/protobuf\": \"^2.17.0\"\n  }");
	CHECK_CONTAINS(got.data, "\"./*.js\": {\n      \"types\": \"./*.d.ts\",\n      \"default\": \"./*.js\"\n    }");
	CHECK_CONTAINS(got.data, "\"type\": \"module\"");
	CHECK_CONTAINS(got.data, "\"sideEffects\": false");
	/* CommonJS: neither "type" nor "sideEffects" (protoc-gen-js code registers its messages as it loads) */
	struct npmpkg_meta cjs = meta;
	cjs.commonjs = 1;
	struct fileset fc = FILESET_INIT;
	fill(&fc, 0);
	struct npmpkg pc;
	CHECK(npmpkg_build(&pc, &cjs, &fc, err) == 0);
	buf_addc(&pc.manifest, '\0');
	CHECK(strstr(pc.manifest.data, "\"type\"") == NULL);
	CHECK(strstr(pc.manifest.data, "sideEffects") == NULL);
	CHECK_CONTAINS(pc.manifest.data,
		       "\"./*.js\": {\n      \"types\": \"./*.d.ts\",\n      \"default\": \"./*.js\"\n    }");
	npmpkg_release(&pc);
	fileset_release(&fc);
	buf_reset(&got);
	CHECK(npmpkg_read_file(p1.tgz.data, p1.tgz.len, "zzz.js", &got, err) == 0);
	CHECK(got.len == 6 && !memcmp(got.data, "zzz.js", 6));
	CHECK(npmpkg_read_file(p1.tgz.data, p1.tgz.len, "missing.js", &got, err) == 1);
	CHECK(npmpkg_read_file("not a tarball", 13, "package.json", &got, err) < 0);
	buf_release(&got);

	/* a plugin's own package.json is refused */
	struct fileset f3 = FILESET_INIT;
	fileset_add(&f3, "package.json", "{}", 2);
	struct npmpkg p3;
	CHECK(npmpkg_build(&p3, &meta, &f3, err) < 0);
	CHECK_CONTAINS(err, "generated package.json");
	npmpkg_release(&p3);

	/* what npm never packs, and names one file on case-insensitive disks, are refused */
	static const char *const bad[][3] = {
		{ "a/.npmrc", "x.js", "npm never packs .npmrc" },
		{ "x.js", "a/.git/config", "npm never packs a .git directory" },
		{ "node_modules/evil/index.js", "x.js", "npm never packs a node_modules directory" },
		{ "package-lock.json", "x.js", "npm never packs package-lock.json" },
		{ "x/a.js", "x/A.js", "differ only in case" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fileset fb = FILESET_INIT;
		fileset_add(&fb, bad[i][0], "1", 1);
		fileset_add(&fb, bad[i][1], "2", 1);
		struct npmpkg pb;
		CHECK(npmpkg_build(&pb, &meta, &fb, err) < 0);
		CHECK_CONTAINS(err, bad[i][2]);
		npmpkg_release(&pb);
		fileset_release(&fb);
	}
	/* ... but names that only contain those words are fine */
	struct fileset fok = FILESET_INIT;
	fileset_add(&fok, "git/x.js", "1", 1);
	fileset_add(&fok, "my.npmrc.js", "2", 1);
	fileset_add(&fok, "node_modules_x/a.js", "3", 1);
	struct npmpkg pok;
	CHECK(npmpkg_build(&pok, &meta, &fok, err) == 0);
	npmpkg_release(&pok);
	fileset_release(&fok);

	/* packument: versions in order, latest the highest, tarball links under the URL */
	struct npmpkg_version vs[] = {
		{ "1.1.10", p1.manifest.data, p1.integrity, p1.shasum, "2026-12-02T10:00:00.000Z", NULL },
		{ "1.1.9", "{\"name\":\"@s/a_b.c_d\",\"version\":\"1.1.9\"}", "sha512-x", "y",
		  "2026-12-01T10:00:00.000Z", "use 1.1.10" },
	};
	struct buf doc = BUF_INIT;
	CHECK(npmpkg_packument("@s/a_b.c_d", "https://cdn.example.com/npm/", vs, 2, &doc, err) == 0);
	buf_addc(&doc, '\0');
	CHECK_CONTAINS(doc.data, "\"dist-tags\":{\"latest\":\"1.1.10\"}");
	CHECK_CONTAINS(doc.data, "\"tarball\":\"https://cdn.example.com/npm/-/@s/a_b.c_d-1.1.9.tgz\"");
	CHECK_CONTAINS(doc.data,
		       "\"time\":{\"created\":\"2026-12-01T10:00:00.000Z\",\"modified\":\"2026-12-02T10:00:00.000Z\"");
	CHECK(strstr(doc.data, "\"1.1.9\":{") < strstr(doc.data, "\"1.1.10\":{"));
	/* a deprecated version carries its message; the others none */
	CHECK_CONTAINS(doc.data, "\"deprecated\":\"use 1.1.10\"");
	const char *first = strstr(doc.data, "\"deprecated\"");
	CHECK(first && !strstr(first + 1, "\"deprecated\""));
	buf_reset(&doc);
	vs[1].manifest = "not json";
	CHECK(npmpkg_packument("@s/a_b.c_d", "https://cdn.example.com/npm", vs, 2, &doc, err) < 0);
	CHECK_CONTAINS(err, "not a JSON object");
	buf_release(&doc);

	npmpkg_release(&p1);
	npmpkg_release(&p2);
	fileset_release(&f1);
	fileset_release(&f2);
	fileset_release(&f3);
	strvec_clear(&peers);
	strvec_clear(&deps);
	return unit_done("npmpkg");
}
