# meshfwd lab: the plan. Fresh keys and a fresh random RFC 4193 /48 for
# every `up`, written to $LAB_STATE/plan.env (addresses, ports) and
# $LAB_STATE/keys/ (mode 0600), the way a person would prepare a real mesh.
#
# Underlay (documentation ranges, only ever inside the lab's namespaces):
#   internet   203.0.113.0/24, 2001:db8:ffff::/64   relay .1 / ::1
#   site A     192.168.1.0/24 behind isp-a's IPv4 masquerade (CG-NAT stand-in)
#   site B     2001:db8:b::/64 routed by isp-b; no IPv4 at all
# Overlay:
#   mesh /48   random ULA; site A = <mesh>:a::/64, site B = <mesh>:b::/64
#   tunnels    a second random ULA /48 outside the mesh (the seed asks for
#              tunnel addresses outside it): relay ::1, site A ::a, site B
#              ::b (one WireGuard identity per site, DESIGN.md 1), server
#              mesh addresses <tunnels>:1::a1 ...

# fdXX:XXXX:XXXX, 40 random bits (RFC 4193 3.2), each group without leading
# zeros as `ip` prints it (the lab compares addresses as text).
random_ula48() {
  local b
  read -r -a b < <(od -An -N5 -tu1 /dev/urandom)
  printf '%x:%x:%x' $((0xfd00 | b[0])) $((b[1] << 8 | b[2])) $((b[3] << 8 | b[4]))
}

make_key() {  # make_key NAME: $LAB_STATE/keys/NAME.key and NAME.pub
  local dir=$LAB_STATE/keys
  mkdir -p "$dir"
  chmod 700 "$dir"
  (umask 077 && wg genkey >"$dir/$1.key")
  wg pubkey <"$dir/$1.key" >"$dir/$1.pub"
}
key_file() { printf '%s/keys/%s.key' "$LAB_STATE" "$1"; }
pub_key() { cat "$LAB_STATE/keys/$1.pub"; }

make_plan() {
  local mesh tun
  mesh=$(random_ula48)
  tun=$(random_ula48)
  while [[ $tun == "$mesh" ]]; do tun=$(random_ula48); done
  mkdir -p "$LAB_STATE"
  cat >"$LAB_STATE/plan.env" <<EOF
# meshfwd lab $LAB_PREFIX, generated $(date -u +%Y-%m-%dT%H:%M:%SZ)
LAB_PREFIX=$LAB_PREFIX
MESH48=$mesh
MESH_PREFIX=$mesh::/48
SITE_A_PREFIX=$mesh:a::/64
SITE_B_PREFIX=$mesh:b::/64
TUN48=$tun
RELAY_TUNNEL_ADDR=$tun::1
SITE_A_TUNNEL_ADDR=$tun::a
SITE_B_TUNNEL_ADDR=$tun::b
RELAY_NAME=$RELAY_NAME
RELAY_V4=203.0.113.1
RELAY_V6=2001:db8:ffff::1
RELAY_WG_PORT=$RELAY_WG_PORT
PORT_RANGE=$PORT_RANGE
ROUTING_MTU=$ROUTING_MTU
MESH_MTU=$MESH_MTU
VIP=$VIP
SERVER_a1_ADDR=$mesh:a::a1
SERVER_a2_ADDR=$mesh:a::a2
SERVER_b1_ADDR=$mesh:b::b1
SERVER_b2_ADDR=$mesh:b::b2
SERVER_a1_MESH=$tun:1::a1
SERVER_a2_MESH=$tun:1::a2
SERVER_b1_MESH=$tun:1::b1
SERVER_b2_MESH=$tun:1::b2
SERVER_a1_PORT=58101
SERVER_a2_PORT=58102
SERVER_b1_PORT=59201
SERVER_b2_PORT=59902
EDGE_a1_ADDR=$mesh:a::e1
EDGE_a2_ADDR=$mesh:a::e2
EDGE_b1_ADDR=$mesh:b::e1
EDGE_b2_ADDR=$mesh:b::e2
EOF
  make_key relay
  make_key site-a
  make_key site-b
  local s
  for s in "${LAB_SERVERS[@]}"; do make_key "$s"; done
}

# Per-node lookups into the plan (after load_plan).
server_addr() { local v="SERVER_${1##*-}_ADDR"; printf '%s' "${!v}"; }
server_mesh() { local v="SERVER_${1##*-}_MESH"; printf '%s' "${!v}"; }
server_port() { local v="SERVER_${1##*-}_PORT"; printf '%s' "${!v}"; }
edge_addr() { local v="EDGE_${1##*-}_ADDR"; printf '%s' "${!v}"; }
site_prefix() { local v="SITE_${1^^}_PREFIX"; printf '%s' "${!v}"; }
site_tunnel_addr() { local v="SITE_${1^^}_TUNNEL_ADDR"; printf '%s' "${!v}"; }
