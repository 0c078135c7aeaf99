/*
 * inventory_net.c - what a node's network can do for overlay networks:
 * the MTU of the interface that carries the node's address (an overlay's
 * MTU must be set from it at creation), and whether the kernel can do the
 * IPsec ESP with AES-GCM that Docker's encrypted overlays use (without it
 * their traffic is silently dropped).
 *
 * The ESP check adds one security association with rfc4106(gcm(aes)) over
 * netlink (NETLINK_XFRM), in a network namespace made for a thread of its
 * own and gone with it: nothing of the host's is touched. It needs root.
 */
#include "agent/inventory.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int inventory_underlay_mtu(const char *ip)
{
	struct ifaddrs *all, *i;
	struct in_addr want;
	char path[128], line[32] = "";
	int mtu = 0;
	FILE *f;

	if (ip == NULL || inet_pton(AF_INET, ip, &want) != 1 || getifaddrs(&all) < 0)
		return 0;
	for (i = all; i != NULL; i = i->ifa_next) {
		const struct sockaddr_in *sa = (const struct sockaddr_in *)i->ifa_addr;

		if (sa == NULL || sa->sin_family != AF_INET || sa->sin_addr.s_addr != want.s_addr)
			continue;
		snprintf(path, sizeof(path), "/sys/class/net/%s/mtu", i->ifa_name);
		if ((f = fopen(path, "re")) != NULL) {
			if (fgets(line, sizeof(line), f))
				mtu = atoi(line);
			fclose(f);
		}
		break;
	}
	freeifaddrs(all);
	return mtu > 0 && mtu < 65536 ? mtu : 0;
}

struct sa_req {
	struct nlmsghdr n;
	struct xfrm_usersa_info sa;
	char attrs[256];
};

static void add_aead(struct sa_req *r)
{
	struct nlattr *a = (struct nlattr *)((char *)r + NLMSG_ALIGN(r->n.nlmsg_len));
	struct xfrm_algo_aead *alg = (struct xfrm_algo_aead *)((char *)a + NLA_HDRLEN);
	size_t keylen = 20;   /* AES-128 key and 4 bytes of salt */

	memset(alg, 0, sizeof(*alg) + keylen);
	snprintf(alg->alg_name, sizeof(alg->alg_name), "rfc4106(gcm(aes))");
	alg->alg_key_len = (unsigned int)(keylen * 8);
	alg->alg_icv_len = 128;
	memset(alg->alg_key, 0x5a, keylen);
	a->nla_type = XFRMA_ALG_AEAD;
	a->nla_len = (unsigned short)(NLA_HDRLEN + sizeof(*alg) + keylen);
	r->n.nlmsg_len = NLMSG_ALIGN(r->n.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static void fill_sa(struct sa_req *r)
{
	struct xfrm_usersa_info *sa = &r->sa;

	memset(r, 0, sizeof(*r));
	r->n.nlmsg_len = NLMSG_LENGTH(sizeof(*sa));
	r->n.nlmsg_type = XFRM_MSG_NEWSA;
	r->n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	r->n.nlmsg_seq = 1;
	inet_pton(AF_INET, "192.0.2.1", &sa->id.daddr.a4);
	inet_pton(AF_INET, "192.0.2.2", &sa->saddr.a4);
	sa->id.spi = htonl(0x4f524341);
	sa->id.proto = IPPROTO_ESP;
	sa->family = AF_INET;
	sa->mode = XFRM_MODE_TRANSPORT;
	sa->sel.family = AF_INET;
	sa->lft.soft_byte_limit = sa->lft.hard_byte_limit = XFRM_INF;
	sa->lft.soft_packet_limit = sa->lft.hard_packet_limit = XFRM_INF;
	add_aead(r);
}

/* 1: the kernel took the SA, 0: it refused it, -1: could not ask. */
static int try_sa(void)
{
	struct sa_req r;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct timeval tv = { 2, 0 };
	char buf[1024];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	ssize_t n;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM), rc = -1;

	if (fd < 0)
		return errno == EPROTONOSUPPORT ? 0 : -1;   /* no XFRM at all */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	fill_sa(&r);
	if (sendto(fd, &r, r.n.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		goto out;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) && h->nlmsg_type == NLMSG_ERROR)
		rc = ((struct nlmsgerr *)NLMSG_DATA(h))->error == 0 ? 1 : 0;   /* -ENOSYS here */
out:
	close(fd);
	return rc;
}

static void *check_thread(void *arg)
{
	int *result = arg;

	/* this thread alone moves to a new network namespace */
	*result = unshare(CLONE_NEWNET) == 0 ? try_sa() : -1;
	return NULL;
}

int inventory_esp_gcm(void)
{
	pthread_t t;
	int result = -1;

	if (pthread_create(&t, NULL, check_thread, &result) != 0)
		return -1;
	pthread_join(t, NULL);
	return result;
}
