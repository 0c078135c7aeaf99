/*
 * test_config_tls.c - the TLS keys of cluster.toml: acme_directory,
 * acme_ca_bundle, [[proxy.certificate]], the wildcard rule across files,
 * their JSON, and tls_check_files on real files (missing, unreadable,
 * unpaired, not covering), each with its file:line:col.
 */
#include "unit.h"
#include "tls_fixture.h"

#include <jansson.h>

#include "config/json.h"
#include "config/load.h"

#define WEB "[[service]]\nname = \"web\"\nimage = \"nginx\"\nport = 80\n"

/* Diagnostics of cluster + one project, "file:line:col: msg\n" each;
 * with files, tls_check_files too. The caller frees. */
static char *diags_of(const char *cluster, const char *svc, bool files)
{
	struct config *c = config_new();
	struct diags d = { 0 };
	struct buf b = BUF_INIT;

	config_add_cluster_text(c, "cluster.toml", cluster, strlen(cluster), &d);
	config_add_project_text(c, "app", NULL, "app.toml", svc, strlen(svc), &d);
	config_check(c, &d);
	if (files)
		tls_check_files(c, &d);
	diags_sort(&d);
	for (size_t i = 0; i < d.len; i++)
		buf_printf(&b, "%s:%d:%d: %s\n", d.items[i].file, d.items[i].line,
			   d.items[i].col, d.items[i].msg);
	diags_release(&d);
	config_free(c);
	return buf_steal(&b);
}

#define EXPECT_DIAGS(want, cluster, svc, files)                        \
	do {                                                               \
		char *got_ = diags_of(cluster, svc, files);                    \
		EXPECT_STREQ(want, got_);                                      \
		free(got_);                                                    \
	} while (0)

TEST(acme_directory_is_an_https_url_or_off)
{
	EXPECT_DIAGS("", "[cluster]\nacme_directory = \"https://acme.example/dir\"\n", WEB, false);
	EXPECT_DIAGS("", "[cluster]\nacme_directory = \"off\"\n", WEB, false);
	EXPECT_DIAGS("cluster.toml:2:18: cluster: acme_directory 'http://acme.example/dir' is "
		     "invalid: it must be an https:// URL (ACME requires TLS), or \"off\"\n",
		     "[cluster]\nacme_directory = \"http://acme.example/dir\"\n", WEB, false);
	EXPECT_DIAGS("cluster.toml:2:18: cluster: acme_directory 'https://a b' is invalid: it "
		     "contains a blank or a non-ASCII character\n",
		     "[cluster]\nacme_directory = \"https://a b\"\n", WEB, false);
	EXPECT_DIAGS("cluster.toml:2:18: cluster: 'acme_directory' must be a string, not an "
		     "integer\n", "[cluster]\nacme_directory = 5\n", WEB, false);
	EXPECT_DIAGS("cluster.toml:2:1: cluster: unknown key 'acme_directroy' in [cluster] (did "
		     "you mean 'acme_directory'?)\n", "[cluster]\nacme_directroy = \"off\"\n", WEB,
		     false);
	EXPECT_DIAGS("cluster.toml:2:18: cluster: acme_ca_bundle 'ca.pem' is invalid: it must "
		     "be an absolute path\n", "[cluster]\nacme_ca_bundle = \"ca.pem\"\n", WEB,
		     false);
}

TEST(proxy_certificate_shapes)
{
	EXPECT_DIAGS("cluster.toml:1:1: proxy.certificate #1: missing required key 'domains' (the "
		     "names this certificate serves)\n"
		     "cluster.toml:1:1: proxy.certificate #1: missing required key 'cert' (a PEM "
		     "certificate chain)\n"
		     "cluster.toml:2:1: proxy.certificate #1: unknown key 'keys' in "
		     "[[proxy.certificate]] (did you mean 'key'?)\n",
		     "[[proxy.certificate]]\nkeys = \"/k\"\nkey = \"/k\"\n", WEB, false);
	EXPECT_DIAGS("cluster.toml:2:12: proxy.certificate #1: domain 'A.com' is invalid: only "
		     "lowercase a-z, 0-9, '-' and '.' are allowed\n"
		     "cluster.toml:3:8: proxy.certificate #1: cert 'c.pem' is invalid: it must be "
		     "an absolute path\n",
		     "[[proxy.certificate]]\ndomains = [\"A.com\"]\ncert = \"c.pem\"\n"
		     "key = \"/k.pem\"\n", WEB, false);
	EXPECT_DIAGS("cluster.toml:2:11: proxy.certificate #1: 'domains' must not be empty\n",
		     "[[proxy.certificate]]\ndomains = []\ncert = \"/c\"\nkey = \"/k\"\n", WEB,
		     false);
	EXPECT_DIAGS("cluster.toml:5:1: proxy.certificate #2: domain 'a.com' already has the "
		     "certificate at line 1\n",
		     "[[proxy.certificate]]\ndomains = [\"a.com\"]\ncert = \"/c\"\nkey = \"/k\"\n"
		     "[[proxy.certificate]]\ndomains = [\"b.com\", \"a.com\"]\ncert = \"/c2\"\n"
		     "key = \"/k2\"\n", WEB, false);
	EXPECT_DIAGS("cluster.toml:2:15: proxy: 'certificate' must be an array of tables, not "
		     "a string\n", "[proxy]\ncertificate = \"/c\"\n", WEB, false);
}

TEST(wildcards_need_a_brought_certificate_while_acme_is_on)
{
	const char *wild = WEB "domain = [\"shop.example.com\", \"*.shop.example.com\"]\n";

	EXPECT_DIAGS("app.toml:5:10: service 'web': domain '*.shop.example.com' needs a "
		     "certificate brought in cluster.toml ([[proxy.certificate]] with domains = "
		     "[\"*.shop.example.com\"]): ACME's HTTP-01 challenge cannot prove a wildcard "
		     "name, which would need DNS-01\n", "", wild, false);
	EXPECT_DIAGS("", "[cluster]\nacme_directory = \"off\"\n", wild, false);
	EXPECT_DIAGS("", "[proxy]\nhttps = \"off\"\n", wild, false);   /* no TLS at all */
	EXPECT_DIAGS("", "[[proxy.certificate]]\ndomains = [\"*.shop.example.com\"]\n"
		     "cert = \"/c\"\nkey = \"/k\"\n", wild, false);
}

TEST(tls_keys_in_the_normalised_json)
{
	struct config *c = config_new();
	struct diags d = { 0 };
	const char *text = "[cluster]\nacme_ca_bundle = \"/etc/ca.pem\"\n"
			   "[[proxy.certificate]]\ndomains = [\"a.com\", \"*.a.com\"]\n"
			   "cert = \"/c.pem\"\nkey = \"/k.pem\"\n";
	json_t *j, *cl;

	config_add_cluster_text(c, "cluster.toml", text, strlen(text), &d);
	EXPECT_EQ_INT(0, d.len);
	j = config_to_json(c);
	cl = json_object_get(j, "cluster");
	EXPECT_STREQ("https://acme-v02.api.letsencrypt.org/directory",
		     json_string_value(json_object_get(cl, "acme_directory")));
	EXPECT_STREQ("/etc/ca.pem", json_string_value(json_object_get(cl, "acme_ca_bundle")));
	EXPECT_STREQ("*.a.com", json_string_value(json_array_get(json_object_get(
		json_array_get(json_object_get(json_object_get(cl, "proxy"), "certificates"), 0),
		"domains"), 1)));
	json_decref(j);
	diags_release(&d);
	config_free(c);
}

struct files {
	char *dir, *cert, *key, *other_key, *junk;
};

static void files_make(struct files *f)
{
	char *bundle = fx_bundle("a.example.com", "20250101000000Z", "20450101000000Z");
	char *other = fx_bundle("b.example.com", "20250101000000Z", "20450101000000Z");
	char *cert_at = strstr(bundle, "-----BEGIN CERTIFICATE");

	f->dir = fx_tmpdir();
	f->cert = xasprintf("%s/a.crt", f->dir);
	f->key = xasprintf("%s/a.key", f->dir);
	f->other_key = xasprintf("%s/b.key", f->dir);
	f->junk = xasprintf("%s/junk", f->dir);
	fx_write(f->cert, cert_at);
	*cert_at = '\0';
	fx_write(f->key, bundle);
	*strstr(other, "-----BEGIN CERTIFICATE") = '\0';
	fx_write(f->other_key, other);
	fx_write(f->junk, "hello\n");
	free(bundle);
	free(other);
}

static void files_free(struct files *f)
{
	fx_rm(f->dir);
	free(f->cert);
	free(f->key);
	free(f->other_key);
	free(f->junk);
}

static char *cert_toml(const char *domains, const char *cert, const char *key)
{
	return xasprintf("[[proxy.certificate]]\ndomains = [%s]\ncert = \"%s\"\nkey = \"%s\"\n",
			 domains, cert, key);
}

TEST(brought_files_must_exist_parse_pair_and_cover)
{
	struct files f;
	char *t, *want;

	files_make(&f);
	t = cert_toml("\"a.example.com\"", f.cert, f.key);
	EXPECT_DIAGS("", t, WEB, true);
	free(t);

	t = cert_toml("\"a.example.com\"", "/nonexistent/a.crt", f.key);
	EXPECT_DIAGS("cluster.toml:3:8: proxy.certificate #1: open '/nonexistent/a.crt': No "
		     "such file or directory\n", t, WEB, true);
	free(t);

	t = cert_toml("\"a.example.com\"", f.junk, f.junk);
	want = xasprintf("cluster.toml:3:8: proxy.certificate #1: cert '%s': no PEM "
			 "certificate\ncluster.toml:4:7: proxy.certificate #1: key '%s': no PEM "
			 "private key", f.junk, f.junk);
	{
		char *got = diags_of(t, WEB, true);

		EXPECT_CONTAINS(got, want);
		free(got);
	}
	free(want);
	free(t);

	t = cert_toml("\"a.example.com\"", f.cert, f.other_key);
	want = xasprintf("cluster.toml:4:7: proxy.certificate #1: key '%s' does not belong to "
			 "cert '%s'\n", f.other_key, f.cert);
	EXPECT_DIAGS(want, t, WEB, true);
	free(want);
	free(t);

	t = cert_toml("\"a.example.com\", \"www.example.com\"", f.cert, f.key);
	want = xasprintf("cluster.toml:2:11: proxy.certificate #1: cert '%s' does not cover "
			 "'www.example.com' (it names a.example.com)\n", f.cert);
	EXPECT_DIAGS(want, t, WEB, true);
	free(want);
	free(t);

	t = xasprintf("[cluster]\nacme_ca_bundle = \"%s\"\n", f.junk);
	want = xasprintf("cluster.toml:2:18: cluster: acme_ca_bundle: '%s': no PEM "
			 "certificate\n", f.junk);
	EXPECT_DIAGS(want, t, WEB, true);
	free(want);
	free(t);
	t = xasprintf("[cluster]\nacme_ca_bundle = \"%s\"\n", f.cert);
	EXPECT_DIAGS("", t, WEB, true);
	free(t);
	files_free(&f);
}

UNIT_MAIN
