# CPack: the meshfwd Debian package (the binary, the systemd units, the
# example configs). tools/ci_package.sh builds it, installs it with dpkg,
# runs the installed binary and purges it again.
#
# The package layout is FHS: configure with
#   -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_SYSCONFDIR=/etc
# (what Debian's dh_auto_configure passes). A relative sysconfdir would put
# the examples under /usr/etc, where nobody looks; the CPack project config
# below refuses to build such a package instead of shipping it.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME meshfwd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "meshfwd maintainers <meshfwd@lists.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "eBPF forwarding policy, Router Advertisements and VRRPv3 for a WireGuard mesh")
set(CPACK_PACKAGE_DESCRIPTION
    "meshfwd replaces the hand-written nftables forward policy, radvd and keepalived of a\n"
    "relay-and-edge WireGuard mesh with XDP/TC programs and one daemon: the relay's\n"
    "tunnel-to-tunnel policy and WireGuard-port guard, the edge's forwarding fast path,\n"
    "RFC 4861/4191 Router Advertisements and RFC 5798/9568 VRRPv3. Kernel WireGuard (or\n"
    "wireguard-go) keeps doing the crypto. Ships meshfwd-relay.service and\n"
    "meshfwd-edge.service (not enabled: write /etc/meshfwd/meshfwd.toml first).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
# Library dependencies (libbpf, libxdp, libnl, libsystemd, ...) computed by
# dpkg-shlibdeps from the binary; the programs meshfwd runs are listed:
# `ip` (doctor), `wg` (the edge's routing tunnel on VRRP transitions).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "iproute2, wireguard-tools")
# Kernel WireGuard or wireguard-go carries the tunnel; nftables loads the
# input-chain ruleset `meshfwd render-nft` prints.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nftables")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "wireguard-go, prometheus")
# Maintainer scripts: tell a running systemd about the units, stop them on
# removal. Nothing is enabled or started on install (the operator writes
# /etc/meshfwd/meshfwd.toml first). Without systemd as PID 1 they do nothing.
set(MESHFWD_DEB_SCRIPTS ${PROJECT_BINARY_DIR}/deb-scripts)
set(MESHFWD_SYSTEMD_RUNNING "if [ -d /run/systemd/system ]; then")
file(WRITE ${MESHFWD_DEB_SCRIPTS}/postinst
     "#!/bin/sh\nset -e\n${MESHFWD_SYSTEMD_RUNNING} systemctl --system daemon-reload >/dev/null || true; fi\n")
file(WRITE ${MESHFWD_DEB_SCRIPTS}/prerm
     "#!/bin/sh\nset -e\nif [ \"$1\" = remove ]; then\n"
     "  ${MESHFWD_SYSTEMD_RUNNING} systemctl stop meshfwd-relay.service meshfwd-edge.service || true; fi\n"
     "fi\n")
file(WRITE ${MESHFWD_DEB_SCRIPTS}/postrm
     "#!/bin/sh\nset -e\n${MESHFWD_SYSTEMD_RUNNING} systemctl --system daemon-reload >/dev/null || true; fi\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${MESHFWD_DEB_SCRIPTS}/postinst ${MESHFWD_DEB_SCRIPTS}/prerm ${MESHFWD_DEB_SCRIPTS}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(MESHFWD_CPACK_CONFIG ${PROJECT_BINARY_DIR}/meshfwd-cpack-config.cmake)
file(WRITE ${MESHFWD_CPACK_CONFIG}
     "# Written by tools/packaging.cmake; read by cpack at package time.\n"
     "if(NOT \"${CMAKE_INSTALL_SYSCONFDIR}\" STREQUAL \"/etc\")\n"
     "  message(FATAL_ERROR \"meshfwd package: configure with -DCMAKE_INSTALL_PREFIX=/usr \"\n"
     "          \"-DCMAKE_INSTALL_SYSCONFDIR=/etc (sysconfdir is '${CMAKE_INSTALL_SYSCONFDIR}', \"\n"
     "          \"the examples would not land in /etc/meshfwd)\")\n"
     "endif()\n")
set(CPACK_PROJECT_CONFIG_FILE ${MESHFWD_CPACK_CONFIG})

include(CPack)
