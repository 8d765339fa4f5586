# meshfwd lab: namespaces, bridges, the ISP routers and the site links.
#
#   internet (br0) ── relay eth0       203.0.113.1  2001:db8:ffff::1
#        │├──────── isp-a wan          203.0.113.10 (masquerades 192.168.1.0/24)
#        │└──────── isp-b wan          2001:db8:ffff::b (routes 2001:db8:b::/64)
#   isp-a (br0 192.168.1.1)   ── edge-a1, edge-a2, server-a1, server-a2 (eth0)
#   isp-b (br0 2001:db8:b::1) ── edge-b1, edge-b2, server-b1, server-b2 (eth0)

make_node() {  # make_node NODE: the namespace, loopback up, its inode recorded
  local ns
  ns=$(ns_of "$1")
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  # The bpffs pins and the daemon's status file are keyed by this inode;
  # `down` needs it after the namespace is gone.
  stat -L -c %i "/var/run/netns/$ns" >>"$LAB_STATE/inodes"
  mkdir -p "/etc/netns/$ns"
  printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n%s %s\n%s %s\n' \
    "$RELAY_V4" "$RELAY_NAME" "$RELAY_V6" "$RELAY_NAME" >"/etc/netns/$ns/hosts"
}

make_bridge() {  # make_bridge NODE: br0, no multicast snooping (VRRP, RA, RS must flood)
  nip "$1" link add br0 type bridge mcast_snooping 0
  nip "$1" link set br0 up
}

# plug SWITCH PORT NODE IFNAME: a veth from NODE's IFNAME to SWITCH's br0.
plug() {
  local sw=$1 port=$2 node=$3 ifname=$4
  nip "$sw" link add "$port" type veth peer name "$ifname" netns "$(ns_of "$node")"
  nip "$sw" link set "$port" master br0 up
  nip "$node" link set "$ifname" mtu "$UPLINK_MTU"
}

build_topology() {
  local n
  for n in "${LAB_NODES[@]}"; do make_node "$n"; done
  # Underlay boxes do not need duplicate address detection; sites do (SLAAC).
  for n in internet relay isp-a isp-b; do nsysctl "$n" net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0; done

  make_bridge internet
  plug internet relay relay eth0
  plug internet isp-a isp-a wan
  plug internet isp-b isp-b wan

  nip relay addr add 203.0.113.1/24 dev eth0
  nip relay addr add 2001:db8:ffff::1/64 dev eth0 nodad
  nip relay link set eth0 up
  nip relay -6 route add 2001:db8:b::/64 via 2001:db8:ffff::b

  # isp-a: IPv4 only, the site behind a masquerade (CG-NAT's effect on the
  # tunnel: the relay sees 203.0.113.10 and a rewritten port).
  make_bridge isp-a
  nip isp-a addr add 203.0.113.10/24 dev wan
  nip isp-a link set wan up
  nip isp-a addr add 192.168.1.1/24 dev br0
  nsysctl isp-a net.ipv4.ip_forward=1
  ip netns exec "$(ns_of isp-a)" nft -f - <<'EOF'
table ip lab_nat {
  chain postrouting { type nat hook postrouting priority srcnat; policy accept; oifname "wan" masquerade; }
}
EOF

  # isp-b: IPv6 only, the site /64 routed, no NAT.
  make_bridge isp-b
  nip isp-b addr add 2001:db8:ffff::b/64 dev wan nodad
  nip isp-b link set wan up
  nip isp-b addr add 2001:db8:b::1/64 dev br0 nodad
  nsysctl isp-b net.ipv6.conf.all.forwarding=1

  local site idx node
  for site in a b; do
    for idx in 1 2; do
      plug "isp-$site" "e$idx" "edge-$site$idx" eth0
      plug "isp-$site" "s$idx" "server-$site$idx" eth0
    done
  done
  for node in "${LAB_EDGES[@]}"; do build_edge_lan "$node"; done
  for node in "${LAB_SERVERS[@]}"; do build_server_lan "$node"; done
}

# An edge router: one NIC on the site link, which is also its way out (the
# seed's single-NIC edge), with its own static address in the site /64.
build_edge_lan() {
  local node=$1 site idx
  site=$(site_of "$node")
  idx=$(index_of "$node")
  nsysctl "$node" net.ipv6.conf.all.forwarding=1 net.ipv6.conf.eth0.accept_ra=0
  nip "$node" addr add "$(edge_addr "$node")/64" dev eth0 nodad
  if [[ $site == a ]]; then
    nip "$node" addr add "192.168.1.1$idx/24" dev eth0
    nip "$node" link set eth0 up
    nip "$node" route add default via 192.168.1.1
  else
    nip "$node" addr add "2001:db8:b::1$idx/64" dev eth0 nodad
    nip "$node" link set eth0 up
    nip "$node" -6 route add default via 2001:db8:b::1
  fi
  # The edge answers hairpins with XDP_TX; a veth delivers XDP_TX frames
  # only when its peer has an XDP program (DESIGN.md 5): the switch port.
  node_exec "isp-$site" "$(lab_meshfwd)" lab xdp-pass "e$idx"
}

# A server: SLAAC from the edges' RAs with a stable token, the /48 route
# from the RIO (accept_ra_rt_info_max_plen, DESIGN.md 6), no privacy
# addresses (the address is other servers' WireGuard endpoint).
build_server_lan() {
  local node=$1 token
  token=${node##*-}
  nsysctl "$node" net.ipv6.conf.eth0.accept_ra=1 net.ipv6.conf.eth0.autoconf=1 \
    net.ipv6.conf.eth0.use_tempaddr=0 net.ipv6.conf.eth0.accept_ra_rt_info_max_plen=64
  nip "$node" token set "::$token" dev eth0
  nip "$node" link set eth0 up
}
