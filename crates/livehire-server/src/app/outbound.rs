//! Guards for requests the server sends to URLs that an API caller chose (a
//! connected shop's `api_base_url`): without them any agent could make the
//! server call its own loopback port, the private network or a cloud metadata
//! address, and read the outcome from the answers it gets back.
//!
//! A chosen URL must be `https` with a public host. A host name is checked
//! when it is resolved, by [`PublicOnly`], so a name that points at a private
//! address fails at connect time too; redirects are not followed. An operator
//! running a stand-in API on the same machine or network turns the guard off
//! (`serve --tiktok-shop-allow-private-urls`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether an address is reachable on the public internet: not loopback,
/// private, link-local, shared (CGNAT), documentation, benchmarking,
/// multicast, broadcast or unspecified, nor an IPv6 form of one of those.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || ip.is_unique_local()
        || ip.is_unicast_link_local()
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || first == 0x0064 && ip.segments()[1] == 0xff9b) // NAT64 to IPv4
}

/// Checks a URL an API caller chose for the server to call: `https`, a host,
/// and not a private address or `localhost` written out. Returns the reason
/// when it is refused.
pub fn check_public_url(url: &Url) -> Result<(), String> {
    if url.scheme() != "https" {
        return Err("must be an https URL".into());
    }
    let Some(name) = url.host_str() else {
        return Err("must name a host".into());
    };
    // IPv6 literals come bracketed; anything else that parses is an IPv4 one.
    let host = match name
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        Ok(ip) => ip,
        Err(_) => {
            let d = name.trim_end_matches('.').to_ascii_lowercase();
            if d == "localhost" || d.ends_with(".localhost") {
                return Err("must not point at this machine".into());
            }
            return Ok(());
        }
    };
    if is_public(host) {
        Ok(())
    } else {
        Err(format!("must not point at a private address ({host})"))
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

    #[test]
    fn private_loopback_and_reserved_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "198.18.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "203.0.114.1",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn a_chosen_url_must_be_https_to_a_public_host() {
        let check = |u: &str| check_public_url(&Url::parse(u).unwrap());
        assert!(check("https://open-api.tiktokglobalshop.com").is_ok());
        assert!(check("https://8.8.8.8/api").is_ok());
        assert_eq!(
            check("http://example.com").unwrap_err(),
            "must be an https URL"
        );
        assert!(check("https://localhost:8443").is_err());
        assert!(check("https://api.localhost").is_err());
        assert!(check("https://127.0.0.1").unwrap_err().contains("private"));
        assert!(check("https://[::1]:9000").unwrap_err().contains("private"));
        assert!(check("https://169.254.169.254").is_err());
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_of_private_addresses() {
        let name: Name = "localhost".parse().unwrap();
        let err = PublicOnly.resolve(name).await.err().expect("refused");
        assert!(err.to_string().contains("no public address"), "{err}");
    }
}
