/*
 * spec.c - service spec hashes and the per-revision meta document.
 */
#include "reconcile/spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/buf.h"
#include "base/envref.h"
#include "base/xalloc.h"
#include "config/json.h"

/* Keys of the normalised service that do not change what a container is. */
static const char *const not_hashed[] = {
	"replicas", "deploy", "depends_on", "healthcheck", "domains", "routes",
	"placement", "triggers", "default_domain", "proxy", NULL,
};

void spec_hash(const struct service *s, const char *image_id, int restart,
	       const char *secret_stamps, char out[SPEC_HASH_LEN + 1])
{
	json_t *j = config_service_to_json(s);
	unsigned char h[SPEC_HASH_LEN / 2];
	char *text;

	for (int i = 0; not_hashed[i]; i++)
		json_object_del(j, not_hashed[i]);
	json_object_set_new(j, "image_id", json_string(image_id ? image_id : ""));
	json_object_set_new(j, "restart", json_integer(restart));
	json_object_set_new(j, "secrets", json_string(secret_stamps ? secret_stamps : ""));
	text = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	crypto_generichash(h, sizeof(h), (const unsigned char *)text, strlen(text), NULL, 0);
	sodium_bin2hex(out, SPEC_HASH_LEN + 1, h, sizeof(h));
	free(text);
	json_decref(j);
}

struct names {
	char **v;
	size_t n, cap;
};

static int add_name(void *arg, const char *key, size_t len)
{
	struct names *nm = arg;

	for (size_t i = 0; i < nm->n; i++)
		if (strlen(nm->v[i]) == len && memcmp(nm->v[i], key, len) == 0)
			return 0;
	XGROW(nm->v, nm->cap, nm->n + 2);
	nm->v[nm->n++] = xstrndup(key, len);
	nm->v[nm->n] = NULL;
	return 0;
}

char **spec_secret_names(const struct service *s)
{
	struct names nm = { 0 };
	struct err e = { 0 };

	XGROW(nm.v, nm.cap, 1);
	nm.v[0] = NULL;
	/* values were checked when the config was loaded: errors cannot occur */
	for (size_t i = 0; i < s->nenv; i++)
		envref_scan(s->env[i].value, add_name, &nm, &e);
	return nm.v;
}

void spec_names_free(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

struct svc_meta *rev_meta_find(struct rev_meta *m, const char *name)
{
	for (size_t i = 0; i < m->len; i++)
		if (strcmp(m->items[i].name, name) == 0)
			return &m->items[i];
	return NULL;
}

struct svc_meta *rev_meta_add(struct rev_meta *m, const char *name)
{
	struct svc_meta *sm = rev_meta_find(m, name);

	if (sm)
		return sm;
	XGROW(m->items, m->cap, m->len + 1);
	sm = &m->items[m->len++];
	memset(sm, 0, sizeof(*sm));
	sm->name = xstrdup(name);
	sm->replicas = -1;
	return sm;
}

void rev_meta_remove(struct rev_meta *m, const char *name)
{
	struct svc_meta *sm = rev_meta_find(m, name);

	if (sm == NULL)
		return;
	free(sm->name);
	*sm = m->items[--m->len];
}

void rev_meta_release(struct rev_meta *m)
{
	for (size_t i = 0; i < m->len; i++)
		free(m->items[i].name);
	free(m->items);
	memset(m, 0, sizeof(*m));
}

void rev_meta_copy(struct rev_meta *dst, const struct rev_meta *src)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < src->len; i++) {
		struct svc_meta *sm = rev_meta_add(dst, src->items[i].name);
		char *name = sm->name;

		*sm = src->items[i];
		sm->name = name;
	}
}

char *rev_meta_text(const struct rev_meta *m)
{
	json_t *svcs = json_object();
	json_t *root = json_pack("{s:o}", "services", svcs);
	char *text;

	for (size_t i = 0; i < m->len; i++) {
		const struct svc_meta *sm = &m->items[i];
		json_t *o = json_pack("{s:s, s:s}", "hash", sm->hash, "image_id", sm->image_id);

		if (sm->image_digest[0])
			json_object_set_new(o, "image_digest", json_string(sm->image_digest));

		if (sm->replicas >= 0)
			json_object_set_new(o, "replicas", json_integer(sm->replicas));
		if (sm->restart)
			json_object_set_new(o, "restart", json_integer(sm->restart));
		if (sm->from_revision)
			json_object_set_new(o, "from_revision", json_integer(sm->from_revision));
		json_object_set_new(svcs, sm->name, o);
	}
	text = json_dumps(root, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(root);
	return text;
}

static int parse_one(struct rev_meta *m, const char *name, json_t *o, struct err *e)
{
	struct svc_meta *sm = rev_meta_add(m, name);
	const char *hash = NULL, *image_id = "", *digest = "";
	json_int_t replicas = -1, restart = 0, from = 0;

	if (json_unpack(o, "{s:s, s?s, s?s, s?I, s?I, s?I}", "hash", &hash, "image_id", &image_id,
			"image_digest", &digest, "replicas", &replicas, "restart", &restart,
			"from_revision", &from) != 0 ||
	    (*hash && strlen(hash) != SPEC_HASH_LEN) || strlen(image_id) >= sizeof(sm->image_id) ||
	    strlen(digest) >= sizeof(sm->image_digest) ||
	    replicas < -1 || replicas > 100000 || restart < 0 || restart > 1000000000 ||
	    from < 0)
		return err_set(e, ERR_INVALID, "revision meta: bad entry for service '%s'", name);
	snprintf(sm->hash, sizeof(sm->hash), "%s", hash);
	snprintf(sm->image_id, sizeof(sm->image_id), "%s", image_id);
	snprintf(sm->image_digest, sizeof(sm->image_digest), "%s", digest);
	sm->replicas = (int)replicas;
	sm->restart = (int)restart;
	sm->from_revision = from;
	return 0;
}

int rev_meta_parse(const char *text, struct rev_meta *m, struct err *e)
{
	json_error_t je;
	json_t *root, *svcs, *o;
	const char *name;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	if (text == NULL || *text == '\0')
		return 0;
	if (strlen(text) > SPEC_META_MAX)
		return err_set(e, ERR_TOOBIG, "revision meta: over %d bytes", SPEC_META_MAX);
	root = json_loads(text, 0, &je);
	if (root == NULL)
		return err_set(e, ERR_INVALID, "revision meta: %s", je.text);
	svcs = json_object_get(root, "services");
	if (!json_is_object(svcs)) {
		rc = err_set(e, ERR_INVALID, "revision meta: no 'services' object");
		goto out;
	}
	json_object_foreach(svcs, name, o) {
		if ((rc = parse_one(m, name, o, e)) < 0)
			break;
	}
out:
	json_decref(root);
	if (rc < 0)
		rev_meta_release(m);
	return rc;
}

void rev_meta_uses(const struct rev_meta *m, int64_t **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < m->len; i++) {
		if (m->items[i].from_revision == 0)
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = m->items[i].from_revision;
	}
}

void rev_meta_refs(const char *spec, int64_t **out, size_t *n)
{
	struct rev_meta m;
	struct err e = { 0 };

	*out = NULL;
	*n = 0;
	if (rev_meta_parse(spec, &m, &e) < 0)
		return;
	rev_meta_uses(&m, out, n);
	rev_meta_release(&m);
}
