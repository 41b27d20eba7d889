/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net-link.c: persistent TAPs (TUN ioctls), bridges, addresses and link state over rtnetlink
 * with libmnl. One netlink request per call, each acknowledged before the next. */
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <net/if.h> /* never with <linux/if.h>: both define struct ifreq */
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "macro.h"
#include "net-link.h"
#include "tap.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct mnl_socket *, mnl_socket_close);

/* Sends one request and waits for its acknowledgement. Returns 0 or the kernel's -errno. */
static int netlink_request(struct nlmsghdr *nlh) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL;
        char buf[MNL_SOCKET_BUFFER_SIZE];
        unsigned portid;
        ssize_t n;
        int r;

        nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
        if (!nl)
                return -errno;
        if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
                return -errno;
        portid = mnl_socket_get_portid(nl);
        nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
        nlh->nlmsg_seq = (unsigned) time(NULL);
        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
                return -errno;
        n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
        if (n < 0)
                return -errno;
        r = mnl_cb_run(buf, (size_t) n, nlh->nlmsg_seq, portid, NULL, NULL);
        return r < 0 ? -errno : 0;
}

static struct nlmsghdr *link_message(char *buf, uint16_t type, uint16_t flags, int index) {
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ifinfomsg *ifi;

        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = flags;
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = index;
        return nlh;
}

static int link_index(const char *name) {
        unsigned index = if_nametoindex(name);

        return index > 0 ? (int) index : -ENODEV;
}

int net_link_tap_create(const char *name, uid_t uid, gid_t gid) {
        _cleanup_(closep) int fd = -EBADF;
        int r;

        r = tap_open(name, &fd);
        if (r < 0)
                return r;
        if (ioctl(fd, TUNSETOWNER, (unsigned long) uid) < 0)
                return -errno;
        if (ioctl(fd, TUNSETGROUP, (unsigned long) gid) < 0)
                return -errno;
        if (ioctl(fd, TUNSETPERSIST, 1UL) < 0)
                return -errno;
        return 0;
}

static bool link_is_bridge(const char *name) {
        char path[64];
        struct stat st;

        (void) snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", name);
        return stat(path, &st) == 0;
}

int net_link_delete(const char *name) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        int index;

        index = link_index(name);
        if (index < 0)
                return index;
        return netlink_request(link_message(buf, RTM_DELLINK, 0, index));
}

int net_link_bridge_ensure(const char *name) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh;
        struct nlattr *info;
        int r;

        if (strlen(name) >= IFNAMSIZ)
                return -EINVAL;
        nlh = link_message(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
        mnl_attr_nest_end(nlh, info);
        r = netlink_request(nlh);
        if (r == -EEXIST && link_is_bridge(name))
                return 0;
        return r;
}

int net_link_set_up(const char *name, const char *master) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh;
        struct ifinfomsg *ifi;
        int index, master_index = 0;

        index = link_index(name);
        if (index < 0)
                return index;
        if (master) {
                master_index = link_index(master);
                if (master_index < 0)
                        return master_index;
        }
        nlh = link_message(buf, RTM_NEWLINK, 0, index);
        ifi = mnl_nlmsg_get_payload(nlh);
        ifi->ifi_flags = IFF_UP;
        ifi->ifi_change = IFF_UP;
        if (master)
                mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t) master_index);
        return netlink_request(nlh);
}

int net_link_address_add(const char *name, const NetPrefix *p) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh;
        struct ifaddrmsg *ifa;
        size_t len = p->family == AF_INET ? 4 : 16;
        int index;

        index = link_index(name);
        if (index < 0)
                return index;
        nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = RTM_NEWADDR;
        nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
        ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
        ifa->ifa_family = (uint8_t) p->family;
        ifa->ifa_prefixlen = (uint8_t) p->prefix_len;
        ifa->ifa_scope = RT_SCOPE_UNIVERSE;
        ifa->ifa_index = (unsigned) index;
        mnl_attr_put(nlh, IFA_LOCAL, len, p->address);
        mnl_attr_put(nlh, IFA_ADDRESS, len, p->address);
        return netlink_request(nlh);
}
