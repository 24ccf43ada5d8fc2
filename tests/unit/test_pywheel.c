/* Unit tests: Python names, versions and keys, deterministic wheels, RECORD checks, index pages. */
#include "pyindex.h"
#include "pywheel.h"
#include "unit.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <zip.h>

static void fill(struct fileset *fs, int reversed)
{
	static const char *const names[] = { "acme/b/v1/b_pb2.py", "acme/a/v1/a_pb2.pyi", "acme/a/v1/a_pb2.py",
					     "zzz.py" };
	for (int i = 0; i < 4; i++) {
		const char *n = names[reversed ? 3 - i : i];
		fileset_add(fs, n, n, strlen(n));
	}
}

/* A zip of a.py ("x"), d-1.dist-info/METADATA and RECORD rec (+ a line for a missing b.py); pywheel_check's answer. */
static int check_zip(const char *rec, int missing, char *err)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	char full[512];
	snprintf(full, sizeof(full), "%s%s", rec, missing ? "b.py,sha256=x,1\n" : "");
	const char *names[] = { "a.py", "d-1.dist-info/METADATA", "d-1.dist-info/RECORD" };
	const char *data[] = { "x", "Metadata-Version: 2.1\n", full };
	zip_source_keep(src);
	for (int i = 0; i < 3; i++)
		zip_file_add(za, names[i], zip_source_buffer(za, data[i], strlen(data[i]), 0), 0);
	zip_close(za);
	zip_stat_t st;
	zip_source_stat(src, &st);
	zip_source_open(src);
	char *buf = malloc(st.size);
	zip_source_read(src, buf, st.size);
	zip_source_close(src);
	zip_source_free(src);
	struct buf md = BUF_INIT;
	int rc = pywheel_check(buf, st.size, &md, err);
	buf_release(&md);
	free(buf);
	return rc;
}

int main(void)
{
	char err[ERR_SIZE];
	/* names: PEP 503 normalization */
	char *n = pywheel_normalize("Acme__Weather.-x");
	CHECK_STR(n, "acme-weather-x");
	free(n);
	n = pywheel_name("protocolbuffers", "python", "Acme", "weather-api", err);
	CHECK_STR(n, "acme-weather-api-protocolbuffers-python");
	char *f = pywheel_filename(n, "1.2.10");
	CHECK_STR(f, "acme_weather_api_protocolbuffers_python-1.2.10-py3-none-any.whl");
	char *k = pywheel_key(n, f);
	CHECK_STR(k, "python/files/acme-weather-api-protocolbuffers-python/"
		     "acme_weather_api_protocolbuffers_python-1.2.10-py3-none-any.whl");
	free(k);
	k = pywheel_metadata_key(n, f);
	CHECK(strlen(k) > 9 && !strcmp(k + strlen(k) - 9, ".metadata"));
	free(k);
	free(f);
	free(n);
	/* "a-b/c" and "a/b-c" are one project: the pipeline refuses the second pair */
	char *x = pywheel_name("t", "n", "a-b", "c", err), *y = pywheel_name("t", "n", "a", "b-c", err);
	CHECK_STR(x, y);
	free(x);
	free(y);
	char long_name[300];
	memset(long_name, 'a', 250);
	long_name[250] = '\0';
	CHECK(pywheel_name("t", "n", long_name, "m", err) == NULL);
	CHECK_CONTAINS(err, "longer than 200");
	char *v = pywheel_version(2, 10);
	CHECK_STR(v, "1.2.10");
	free(v);

	/* the same files in any order give the same bytes */
	struct strvec reqs = STRVEC_INIT;
	strvec_push(&reqs, "protobuf>=3.21");
	strvec_push(&reqs, "acme-b-t-n==1.1.3");
	struct pywheel_meta meta = { .name = "acme-a-t-n", .version = "1.1.2", .summary = "s", .requires_dist = &reqs };
	struct fileset f1 = FILESET_INIT, f2 = FILESET_INIT;
	fill(&f1, 0);
	fill(&f2, 1);
	struct pywheel w1, w2;
	CHECK(pywheel_build(&w1, &meta, &f1, err) == 0);
	CHECK(pywheel_build(&w2, &meta, &f2, err) == 0);
	CHECK(w1.whl.len == w2.whl.len && !memcmp(w1.whl.data, w2.whl.data, w1.whl.len));
	CHECK_STR(w1.sha256, w2.sha256);
	CHECK(strlen(w1.sha256) == 64);
	CHECK_STR(w1.filename, "acme_a_t_n-1.1.2-py3-none-any.whl");
	buf_addc(&w1.metadata, '\0');
	CHECK_STR(w1.metadata.data, "Metadata-Version: 2.1\nName: acme-a-t-n\nVersion: 1.1.2\nSummary: s\n"
				    "Requires-Python: >=3.7\nRequires-Dist: protobuf>=3.21\n"
				    "Requires-Dist: acme-b-t-n==1.1.3\n");
	w1.metadata.len--;
	/* a py.typed marker beside the .pyi */
	CHECK(fileset_find(&f1, "acme/a/v1/py.typed") != NULL);
	CHECK(fileset_find(&f1, "acme/b/v1/py.typed") == NULL);
	/* read back: RECORD holds, METADATA is the built one */
	struct buf md = BUF_INIT;
	CHECK(pywheel_check(w1.whl.data, w1.whl.len, &md, err) == 0);
	CHECK(md.len == w1.metadata.len && !memcmp(md.data, w1.metadata.data, md.len));
	buf_release(&md);
	/* wheels whose RECORD does not hold */
	const char *good = "sha256=LXEWQrcmsEQBYnyp-6wy9chTD7GQPMTbAiWHF5IaSIE"; /* of "x" (1 byte) */
	char rec[256];
	snprintf(rec, sizeof(rec), "a.py,%s,2\nd-1.dist-info/METADATA,,\nd-1.dist-info/RECORD,,\n", good);
	CHECK(check_zip(rec, 0, err) < 0);
	CHECK_CONTAINS(err, "a.py: its hash or size is not the one RECORD says");
	snprintf(rec, sizeof(rec), "d-1.dist-info/METADATA,,\nd-1.dist-info/RECORD,,\n");
	CHECK(check_zip(rec, 0, err) < 0);
	CHECK_CONTAINS(err, "a.py is not in RECORD");
	snprintf(rec, sizeof(rec), "a.py,%s,1\nd-1.dist-info/METADATA,,\nd-1.dist-info/RECORD,,\n", good);
	CHECK(check_zip(rec, 0, err) == 0);
	CHECK(check_zip(rec, 1, err) < 0);
	CHECK_CONTAINS(err, "RECORD lists b.py, which the wheel does not hold");
	CHECK(pywheel_check("not a wheel", 11, &md, err) < 0);
	CHECK_CONTAINS(err, "not a zip archive");
	buf_release(&md);

	/* refusals, naming the file */
	static const char *const refused[][2] = {
		{ "setup.py", "would make the wheel a project of its own" },
		{ "pyproject.toml", "would make the wheel a project of its own" },
		{ "x-1.0.dist-info/METADATA", "a .dist-info or .egg-info directory" },
		{ "a/b.egg-info/PKG-INFO", "a .dist-info or .egg-info directory" },
		{ "acme/__init__.py", "namespace packages" },
		{ "a,b.py", "a name RECORD cannot hold" },
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct fileset fb = FILESET_INIT;
		struct pywheel wb;
		fileset_add(&fb, refused[i][0], "x", 1);
		CHECK(pywheel_build(&wb, &meta, &fb, err) < 0);
		CHECK_CONTAINS(err, refused[i][1]);
		pywheel_release(&wb);
		fileset_release(&fb);
	}

	/* pages */
	struct pyindex_file pf[] = {
		{ "a-1.1.1-py3-none-any.whl", "aa", "bb", ">=3.7", 0, NULL },
		{ "a-1.1.2-py3-none-any.whl", "cc", "dd", ">=3.7", 1, "broke <x> & \"y\"" },
	};
	struct buf page = BUF_INIT;
	pyindex_project_page("a", pf, 2, &page);
	buf_addc(&page, '\0');
	CHECK_CONTAINS(page.data, "<a href=\"../../files/a/a-1.1.1-py3-none-any.whl#sha256=aa\" "
				  "data-requires-python=\"&gt;=3.7\" data-dist-info-metadata=\"sha256=bb\" "
				  "data-core-metadata=\"sha256=bb\">a-1.1.1-py3-none-any.whl</a><br/>\n");
	CHECK_CONTAINS(page.data, "data-yanked=\"broke &lt;x&gt; &amp; &quot;y&quot;\"");
	buf_release(&page);
	struct strvec names = STRVEC_INIT;
	strvec_push(&names, "zed");
	strvec_push(&names, "abc");
	pyindex_root_page(&names, &page);
	buf_addc(&page, '\0');
	const char *a = strstr(page.data, "<a href=\"abc/\">abc</a>"),
		   *z = strstr(page.data, "<a href=\"zed/\">zed</a>");
	CHECK(a && z && a < z);
	buf_release(&page);
	strvec_clear(&names);
	char *pk = pyindex_key("a");
	CHECK_STR(pk, "python/simple/a/index.html");
	free(pk);
	pk = pyindex_key(NULL);
	CHECK_STR(pk, "python/simple/index.html");
	free(pk);

	pywheel_release(&w1);
	pywheel_release(&w2);
	fileset_release(&f1);
	fileset_release(&f2);
	strvec_clear(&reqs);
	return unit_done("pywheel");
}
