// Package netguard is the dial-time SSRF guard shared by outbound HTTP
// clients that send to addresses taken from configuration or content
// (webhooks). It runs in net.Dialer.Control, after DNS resolution, on the
// address actually dialled, so neither a DNS answer that changes between
// check and use nor a redirect can reach a private network.
package netguard

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"
)

// ErrBlocked is returned (wrapped) by Control for an address that is not
// public and not allowed.
var ErrBlocked = errors.New("address not allowed: loopback, private or otherwise non-public")

// Guard refuses connections to non-public addresses except those in Allow.
// The zero value refuses every non-public address.
type Guard struct {
	// Allow lists networks let through although they are not public: a
	// relay on the local network, or loopback in tests. Opt-in only.
	Allow []netip.Prefix
	// AllowPorts lists single address and port pairs let through: one
	// service on loopback (the demo's simulated press) without every
	// other port of the machine.
	AllowPorts []netip.AddrPort
}

// Control is a net.Dialer.Control function.
func (g Guard) Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, ErrBlocked)
	}
	ip := ap.Addr().Unmap()
	for _, a := range g.AllowPorts {
		if a.Addr().Unmap() == ip && a.Port() == ap.Port() {
			return nil
		}
	}
	for _, p := range g.Allow {
		if p.Contains(ip) {
			return nil
		}
	}
	if !Public(ip) {
		return fmt.Errorf("dial %s: %w", address, ErrBlocked)
	}
	return nil
}

var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation (TEST-NET-1)
	netip.MustParsePrefix("198.51.100.0/24"), // documentation (TEST-NET-2)
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation (TEST-NET-3)
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and 255.255.255.255, the broadcast
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64 can reach private IPv4
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("fc00::/7"),
}

// Public reports whether ip is a public unicast address: not loopback,
// private, link-local, multicast, unspecified, CGNAT, benchmarking,
// documentation, reserved (240/4, broadcast), NAT64 or unique-local.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}
