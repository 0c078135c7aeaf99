/*
 * ident.c - the agent's identity files, and joining a cluster.
 */
#include "agent/ident.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "agent/link.h"
#include "base/jsonx.h"
#include "base/xalloc.h"
#include "cluster/jointoken.h"
#include "tls/node_cert.h"

#define JOIN_TIMEOUT_MS 30000

int agent_check_node_name(const char *name, struct err *e)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > AGENT_NODE_MAX || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != n ||
	    name[0] == '-' || name[n - 1] == '-')
		return err_set(e, ERR_INVALID, "node name '%.64s' must be 1 to 63 of a-z, 0-9 and "
			       "'-', not starting or ending with '-'", name ? name : "");
	return 0;
}

static int make_dir(const char *dir, struct err *e)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return err_errno(e, errno, "create '%s'", dir);
	if (chmod(dir, 0700) < 0)
		return err_errno(e, errno, "chmod '%s'", dir);
	return 0;
}

int agent_write_file(const char *dir, const char *name, const void *data, size_t len,
		     struct err *e)
{
	char *path = xasprintf("%s/%s", dir, name), *tmp = xasprintf("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), rc = 0;

	if (fd < 0) {
		rc = err_errno(e, errno, "create '%s'", tmp);
	} else {
		if (fchmod(fd, 0600) < 0 || write(fd, data, len) != (ssize_t)len || fsync(fd) < 0)
			rc = err_errno(e, errno, "write '%s'", tmp);
		close(fd);
		if (rc == 0 && rename(tmp, path) < 0)
			rc = err_errno(e, errno, "rename '%s'", tmp);
		if (rc < 0)
			unlink(tmp);
	}
	free(tmp);
	free(path);
	return rc;
}

static void paths(const char *dir, struct agent_ident *id)
{
	id->dir = xstrdup(dir);
	id->ca = xasprintf("%s/ca.pem", dir);
	id->cert = xasprintf("%s/node.pem", dir);
	id->key = xasprintf("%s/node.key", dir);
}

void agent_ident_release(struct agent_ident *id)
{
	free(id->dir);
	free(id->ca);
	free(id->cert);
	free(id->key);
	memset(id, 0, sizeof(*id));
}

int agent_ident_load(const char *dir, struct agent_ident *id, struct err *e)
{
	char *path = xasprintf("%s/agent.json", dir);
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	const char *server = NULL, *node = NULL;
	int rc = 1;

	memset(id, 0, sizeof(*id));
	if (j == NULL) {
		rc = access(path, F_OK) == 0 ? err_set(e, ERR_INVALID, "'%s': %s", path, je.text) : 0;
		goto out;
	}
	if (jsonx_get_string(j, "server", JSONX_REQUIRED, &server, e) < 0 ||
	    jsonx_get_string(j, "node", JSONX_REQUIRED, &node, e) < 0 ||
	    agent_check_node_name(node, e) < 0) {
		rc = err_wrap(e, "'%s'", path);
		goto out;
	}
	snprintf(id->server, sizeof(id->server), "%s", server);
	snprintf(id->node, sizeof(id->node), "%s", node);
	paths(dir, id);
	if (access(id->ca, R_OK) < 0 || access(id->cert, R_OK) < 0 || access(id->key, R_OK) < 0)
		rc = err_set(e, ERR_INVALID, "'%s' lacks ca.pem, node.pem or node.key: join "
			     "again (orca agent --join URL --token T)", dir);
out:
	json_decref(j);
	free(path);
	if (rc <= 0 && id->dir)
		agent_ident_release(id);
	return rc;
}

/* The server's CA, trusted only when it hashes to the token's pin. */
static int fetch_ca(const char *dir, const struct agent_join_req *r, const struct jointoken *t,
		    struct err *e)
{
	struct link_opts lo = { .server = r->server };
	struct link *l = link_new(&lo);
	struct buf pem = BUF_INIT;
	char got[65] = "";
	long status = 0;
	int rc;

	rc = l ? link_get_raw(l, "/cluster/v1/ca", JOIN_TIMEOUT_MS, &status, &pem, e)
	       : err_set(e, ERR_FAIL, "cannot start libcurl");
	if (rc == 0 && status != 200)
		rc = err_set(e, ERR_UNAVAILABLE, "%s is not an orca server's cluster listener "
			     "(GET /cluster/v1/ca: HTTP %ld)", r->server, status);
	if (rc == 0 && (rc = tls_cert_fingerprint(pem.data, pem.len, got, e)) == 0 &&
	    sodium_memcmp(got, t->ca, 64) != 0)
		rc = err_set(e, ERR_CONFLICT, "the server at %s shows a cluster CA (sha256 %.16s...) "
			     "that is not the one the token names (%.16s...): a wrong address, or "
			     "someone in between", r->server, got, t->ca);
	if (rc == 0)
		rc = agent_write_file(dir, "ca.pem", pem.data, pem.len, e);
	buf_release(&pem);
	link_free(l);
	return rc;
}

static json_t *join_body(const struct agent_join_req *r, const struct buf *csr)
{
	json_t *b = json_pack("{s:s, s:s, s:s%, s:s}", "token", r->token, "node", r->node, "csr",
			      csr->data, csr->len, "version", ORCA_VERSION);

	if (r->address)
		json_object_set_new(b, "address", json_string(r->address));
	if (r->labels)
		json_object_set(b, "labels", (json_t *)r->labels);
	if (r->inv)
		json_object_set_new(b, "inventory", inventory_to_json(r->inv));
	return b;
}

static int sign(const char *dir, const struct agent_join_req *r, const struct buf *csr,
		struct err *e)
{
	char *ca = xasprintf("%s/ca.pem", dir);
	struct link_opts lo = { .server = r->server, .ca = ca };
	struct link *l = link_new(&lo);
	json_t *body = join_body(r, csr), *reply = NULL;
	const char *cert = NULL;
	long status = 0;
	int rc;

	rc = l ? link_call(l, "POST", "/cluster/v1/join", body, JOIN_TIMEOUT_MS, &status, &reply, e)
	       : err_set(e, ERR_FAIL, "cannot start libcurl");
	if (rc == 0 && status != 200)
		rc = err_set(e, status == 401 || status == 403 ? ERR_INVALID : ERR_FAIL,
			     "the server refused the join: %s", link_error_message(reply, status));
	if (rc == 0 && jsonx_get_string(reply, "certificate", JSONX_REQUIRED, &cert, e) < 0)
		rc = err_wrap(e, "the server's answer to the join");
	if (rc == 0)
		rc = agent_write_file(dir, "node.pem", cert, strlen(cert), e);
	json_decref(body);
	json_decref(reply);
	link_free(l);
	free(ca);
	return rc;
}

int agent_join(const char *dir, const struct agent_join_req *r, struct agent_ident *id,
	       struct err *e)
{
	struct jointoken t;
	struct buf key = BUF_INIT, csr = BUF_INIT;
	json_t *a = NULL;
	char *text = NULL;
	int rc;

	if (strncmp(r->server, "https://", 8) != 0)
		return err_set(e, ERR_INVALID, "--join wants https://HOST:PORT, not '%s'", r->server);
	if ((rc = jointoken_parse(r->token, &t, e)) < 0 ||
	    (rc = agent_check_node_name(r->node, e)) < 0 || (rc = make_dir(dir, e)) < 0)
		return rc;
	rc = fetch_ca(dir, r, &t, e);
	if (rc == 0)
		rc = tls_node_csr(r->node, &key, &csr, e);
	if (rc == 0)
		rc = agent_write_file(dir, "node.key", key.data, key.len, e);
	if (rc == 0)
		rc = sign(dir, r, &csr, e);
	if (rc == 0) {
		a = json_pack("{s:s, s:s}", "server", r->server, "node", r->node);
		text = json_dumps(a, JSON_INDENT(2));
		rc = agent_write_file(dir, "agent.json", text, strlen(text), e);
	}
	if (key.data)
		sodium_memzero(key.data, key.len);
	buf_release(&key);
	buf_release(&csr);
	json_decref(a);
	free(text);
	if (rc < 0)
		return rc;
	return agent_ident_load(dir, id, e) == 1 ? 0 : ERR_FAIL;
}
