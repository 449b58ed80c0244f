//! Guards for requests the server sends to URLs that an API caller chose (a
//! connected shop's `api_base_url`): without them any agent could make the
//! server call its own loopback port, the private network or a cloud metadata
//! address, and read the outcome from the answers it gets back.
//!
//! A chosen URL must be `https` with a public host: an address written in it
//! is checked when the shop is connected and again before each request, and
//! a host name is checked when it is resolved, by [`PublicOnly`], so a name
//! that points at a private address fails at connect time too; redirects are
//! not followed. "Public" is an allow-list for IPv6 (global unicast
//! `2000::/3` less its special ranges) and a deny-list for IPv4; IPv4 inside
//! IPv6 (mapped, compatible, NAT64, 6to4) is judged by the IPv4 address. An operator
//! running a stand-in API on the same machine or network turns the guard off
//! (`serve --tiktok-shop-allow-private-urls`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// IPv4 ranges that are not globally reachable (RFC 6890 and the IANA
/// special-purpose registry), with the name an error gives each: first match
/// wins.
const V4_REFUSED: &[([u8; 4], u8, &str)] = &[
    ([0, 0, 0, 0], 8, "\"this network\" (0.0.0.0/8)"),
    ([10, 0, 0, 0], 8, "private (10.0.0.0/8)"),
    (
        [100, 64, 0, 0],
        10,
        "shared address space, CGNAT (100.64.0.0/10)",
    ),
    ([127, 0, 0, 0], 8, "loopback (127.0.0.0/8)"),
    ([169, 254, 0, 0], 16, "link-local (169.254.0.0/16)"),
    ([172, 16, 0, 0], 12, "private (172.16.0.0/12)"),
    (
        [192, 0, 0, 0],
        24,
        "IETF protocol assignments (192.0.0.0/24)",
    ),
    ([192, 0, 2, 0], 24, "documentation (192.0.2.0/24)"),
    ([192, 88, 99, 0], 24, "6to4 relay anycast (192.88.99.0/24)"),
    ([192, 168, 0, 0], 16, "private (192.168.0.0/16)"),
    ([198, 18, 0, 0], 15, "benchmarking (198.18.0.0/15)"),
    ([198, 51, 100, 0], 24, "documentation (198.51.100.0/24)"),
    ([203, 0, 113, 0], 24, "documentation (203.0.113.0/24)"),
    ([224, 0, 0, 0], 4, "multicast (224.0.0.0/4)"),
    ([255, 255, 255, 255], 32, "broadcast (255.255.255.255)"),
    ([240, 0, 0, 0], 4, "reserved (240.0.0.0/4)"),
];

/// IPv6 ranges refused outright, first match wins. Everything outside global
/// unicast `2000::/3` is refused too, except the forms that embed an IPv4
/// address ([`embedded_v4`]), which are judged by that address.
const V6_REFUSED: &[([u16; 8], u8, &str)] = &[
    ([0, 0, 0, 0, 0, 0, 0, 0], 128, "unspecified (::)"),
    ([0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback (::1)"),
    ([0x2001, 0, 0, 0, 0, 0, 0, 0], 32, "Teredo (2001::/32)"),
    (
        [0x2001, 0x0db8, 0, 0, 0, 0, 0, 0],
        32,
        "documentation (2001:db8::/32)",
    ),
    (
        [0x3fff, 0, 0, 0, 0, 0, 0, 0],
        20,
        "documentation (3fff::/20)",
    ),
    (
        [0x2001, 0x0002, 0, 0, 0, 0, 0, 0],
        48,
        "benchmarking (2001:2::/48)",
    ),
    (
        [0x2001, 0, 0, 0, 0, 0, 0, 0],
        23,
        "IETF protocol assignments (2001::/23)",
    ),
    ([0x0100, 0, 0, 0, 0, 0, 0, 0], 64, "discard-only (100::/64)"),
    (
        [0x0064, 0xff9b, 1, 0, 0, 0, 0, 0],
        48,
        "local-use NAT64 (64:ff9b:1::/48)",
    ),
    ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, "unique-local (fc00::/7)"),
    ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, "link-local (fe80::/10)"),
    ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, "site-local (fec0::/10)"),
    ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, "multicast (ff00::/8)"),
];

fn in_v4(ip: Ipv4Addr, net: [u8; 4], len: u8) -> bool {
    let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn in_v6(ip: Ipv6Addr, net: [u16; 8], len: u8) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
    u128::from(ip) & mask == u128::from(Ipv6Addr::from(net)) & mask
}

/// The IPv4 address an IPv6 address carries, with the name of the form:
/// IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`, NAT64
/// `64:ff9b::a.b.c.d` and 6to4 `2002:AABB:CCDD::/48`.
fn embedded_v4(ip: Ipv6Addr) -> Option<(&'static str, Ipv4Addr)> {
    let s = ip.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if let Some(v4) = ip.to_ipv4_mapped() {
        Some(("IPv4-mapped", v4))
    } else if s[..6] == [0; 6] {
        Some(("IPv4-compatible", low))
    } else if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        Some(("NAT64", low))
    } else if s[0] == 0x2002 {
        let v4 = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        Some(("6to4", v4))
    } else {
        None
    }
}

/// Why an address is not reachable on the public internet (`"loopback
/// (127.0.0.0/8)"`), or `None` when it is. IPv4 inside IPv6 is judged by
/// the IPv4 address.
pub fn non_public(ip: IpAddr) -> Option<String> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4).map(str::to_string),
        IpAddr::V6(v6) => non_public_v6(v6),
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    V4_REFUSED
        .iter()
        .find(|(net, len, _)| in_v4(ip, *net, *len))
        .map(|(_, _, why)| *why)
}

fn non_public_v6(ip: Ipv6Addr) -> Option<String> {
    // `::` and `::1` first: they look IPv4-compatible.
    if let Some((_, _, why)) = V6_REFUSED[..2].iter().find(|(n, l, _)| in_v6(ip, *n, *l)) {
        return Some((*why).to_string());
    }
    if let Some((form, v4)) = embedded_v4(ip) {
        return non_public_v4(v4).map(|why| format!("{form} {v4}, {why}"));
    }
    if let Some((_, _, why)) = V6_REFUSED.iter().find(|(n, l, _)| in_v6(ip, *n, *l)) {
        return Some((*why).to_string());
    }
    if !in_v6(ip, [0x2000, 0, 0, 0, 0, 0, 0, 0], 3) {
        return Some("not global unicast (outside 2000::/3)".to_string());
    }
    None
}

/// Whether an address is reachable on the public internet (see [`non_public`]).
pub fn is_public(ip: IpAddr) -> bool {
    non_public(ip).is_none()
}

/// Checks a URL an API caller chose for the server to call: `https`, a host,
/// and not a private address or `localhost` written out. Returns the reason
/// when it is refused.
pub fn check_public_url(url: &Url) -> Result<(), String> {
    if url.scheme() != "https" {
        return Err("must be an https URL".into());
    }
    let Some(host) = url.host_str() else {
        return Err("must name a host".into());
    };
    // The URL parser has already read IPv4 in any spelling (`2130706433`,
    // `0x7f.1`) into dotted form, and brackets IPv6 (embedded IPv4 included).
    let ip = match host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
        .parse::<IpAddr>()
    {
        Ok(ip) => ip,
        Err(_) => {
            let d = host.trim_end_matches('.').to_ascii_lowercase();
            if d == "localhost" || d.ends_with(".localhost") {
                return Err("must not point at this machine".into());
            }
            // A name is checked again when it is resolved ([`PublicOnly`]).
            return Ok(());
        }
    };
    match non_public(ip) {
        None => Ok(()),
        Some(why) => Err(format!(
            "must not point at a non-public address ({ip}: {why})"
        )),
    }
}

/// A DNS resolver that only returns public addresses, and fails when a name
/// has none.
#[derive(Debug, Default, Clone, Copy)]
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = all.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every refused range, each with an address inside it and the reason given.
    #[test]
    fn every_non_global_ipv4_range_is_refused() {
        for (ip, why) in [
            ("0.0.0.0", "\"this network\" (0.0.0.0/8)"),
            ("0.255.255.255", "\"this network\" (0.0.0.0/8)"),
            ("10.1.2.3", "private (10.0.0.0/8)"),
            ("100.64.0.1", "shared address space, CGNAT (100.64.0.0/10)"),
            (
                "100.127.255.254",
                "shared address space, CGNAT (100.64.0.0/10)",
            ),
            ("127.0.0.1", "loopback (127.0.0.0/8)"),
            ("127.255.0.9", "loopback (127.0.0.0/8)"),
            ("169.254.169.254", "link-local (169.254.0.0/16)"),
            ("172.16.0.1", "private (172.16.0.0/12)"),
            ("172.31.255.255", "private (172.16.0.0/12)"),
            ("192.0.0.1", "IETF protocol assignments (192.0.0.0/24)"),
            ("192.0.0.170", "IETF protocol assignments (192.0.0.0/24)"),
            ("192.0.2.1", "documentation (192.0.2.0/24)"),
            ("192.88.99.1", "6to4 relay anycast (192.88.99.0/24)"),
            ("192.168.1.1", "private (192.168.0.0/16)"),
            ("198.18.0.1", "benchmarking (198.18.0.0/15)"),
            ("198.19.255.255", "benchmarking (198.18.0.0/15)"),
            ("198.51.100.7", "documentation (198.51.100.0/24)"),
            ("203.0.113.9", "documentation (203.0.113.0/24)"),
            ("224.0.0.1", "multicast (224.0.0.0/4)"),
            ("239.255.255.250", "multicast (224.0.0.0/4)"),
            ("240.0.0.1", "reserved (240.0.0.0/4)"),
            ("255.255.255.254", "reserved (240.0.0.0/4)"),
            ("255.255.255.255", "broadcast (255.255.255.255)"),
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(non_public(ip).as_deref(), Some(why), "{ip}");
        }
    }

    #[test]
    fn every_non_global_ipv6_range_is_refused() {
        for (ip, why) in [
            ("::", "unspecified (::)"),
            ("::1", "loopback (::1)"),
            ("fc00::1", "unique-local (fc00::/7)"),
            ("fd12:3456::1", "unique-local (fc00::/7)"),
            ("fe80::1", "link-local (fe80::/10)"),
            ("febf::1", "link-local (fe80::/10)"),
            ("fec0::1", "site-local (fec0::/10)"),
            ("feff::1", "site-local (fec0::/10)"),
            ("ff02::1", "multicast (ff00::/8)"),
            ("ff0e::1", "multicast (ff00::/8)"),
            ("2001:db8::1", "documentation (2001:db8::/32)"),
            ("3fff:1::1", "documentation (3fff::/20)"),
            ("100::1", "discard-only (100::/64)"),
            ("2001::1", "Teredo (2001::/32)"),
            ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo (2001::/32)"),
            ("2001:2::1", "benchmarking (2001:2::/48)"),
            ("2001:10::1", "IETF protocol assignments (2001::/23)"),
            ("64:ff9b:1::1", "local-use NAT64 (64:ff9b:1::/48)"),
            ("5f00::1", "not global unicast (outside 2000::/3)"),
            ("4000::1", "not global unicast (outside 2000::/3)"),
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(non_public(ip).as_deref(), Some(why), "{ip}");
        }
    }

    #[test]
    fn ipv4_inside_ipv6_is_judged_by_the_ipv4_address() {
        for (ip, why) in [
            (
                "::ffff:127.0.0.1",
                "IPv4-mapped 127.0.0.1, loopback (127.0.0.0/8)",
            ),
            (
                "::ffff:10.0.0.1",
                "IPv4-mapped 10.0.0.1, private (10.0.0.0/8)",
            ),
            (
                "::ffff:169.254.169.254",
                "IPv4-mapped 169.254.169.254, link-local (169.254.0.0/16)",
            ),
            (
                "::7f00:1",
                "IPv4-compatible 127.0.0.1, loopback (127.0.0.0/8)",
            ),
            (
                "::127.0.0.1",
                "IPv4-compatible 127.0.0.1, loopback (127.0.0.0/8)",
            ),
            (
                "::192.168.0.1",
                "IPv4-compatible 192.168.0.1, private (192.168.0.0/16)",
            ),
            ("64:ff9b::10.0.0.1", "NAT64 10.0.0.1, private (10.0.0.0/8)"),
            ("64:ff9b::7f00:1", "NAT64 127.0.0.1, loopback (127.0.0.0/8)"),
            ("2002:7f00:1::1", "6to4 127.0.0.1, loopback (127.0.0.0/8)"),
            (
                "2002:c0a8:101::1",
                "6to4 192.168.1.1, private (192.168.0.0/16)",
            ),
            (
                "2002:a9fe:a9fe::",
                "6to4 169.254.169.254, link-local (169.254.0.0/16)",
            ),
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(non_public(ip).as_deref(), Some(why), "{ip}");
        }
        for ip in [
            "::ffff:1.1.1.1",
            "::8.8.8.8",
            "64:ff9b::8.8.8.8",
            "2002:808:808::1",
        ] {
            assert_eq!(non_public(ip.parse().unwrap()), None, "{ip}");
        }
    }

    #[test]
    fn global_addresses_are_public() {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.1",
            "198.17.255.255",
            "198.20.0.0",
            "203.0.114.1",
            "223.255.255.255",
            "2606:4700::1111",
            "2a00:1450:4001::200e",
            "2001:200::1",
            "2c0f:fb50::1",
        ] {
            assert_eq!(non_public(ip.parse().unwrap()), None, "{ip}");
        }
    }

    #[test]
    fn a_chosen_url_must_be_https_to_a_public_host() {
        let check = |u: &str| check_public_url(&Url::parse(u).unwrap());
        assert!(check("https://open-api.tiktokglobalshop.com").is_ok());
        assert!(check("https://8.8.8.8/api").is_ok());
        assert!(check("https://[2606:4700::1111]/api").is_ok());
        assert_eq!(
            check("http://example.com").unwrap_err(),
            "must be an https URL"
        );
        assert_eq!(
            check("https://localhost:8443").unwrap_err(),
            "must not point at this machine"
        );
        assert!(check("https://api.localhost.").is_err());
        assert_eq!(
            check("https://127.0.0.1").unwrap_err(),
            "must not point at a non-public address (127.0.0.1: loopback (127.0.0.0/8))"
        );
        // IPv4 in other spellings, and IPv6 written with an IPv4 tail.
        for u in [
            "https://2130706433",
            "https://0x7f.0.0.1",
            "https://0177.0.0.1",
            "https://127.1",
            "https://[::127.0.0.1]",
            "https://[::ffff:127.0.0.1]:9000",
            "https://[0:0:0:0:0:ffff:7f00:1]",
        ] {
            let err = check(u).unwrap_err();
            assert!(
                err.contains("127.0.0.1, loopback") || err.contains("(127.0.0.1: loopback"),
                "{u}: {err}"
            );
        }
        assert!(
            check("https://[fec0::1]")
                .unwrap_err()
                .contains("site-local")
        );
        assert!(check("https://169.254.169.254").is_err());
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_of_private_addresses() {
        let name: Name = "localhost".parse().unwrap();
        let err = PublicOnly.resolve(name).await.err().expect("refused");
        assert!(err.to_string().contains("no public address"), "{err}");
    }
}
