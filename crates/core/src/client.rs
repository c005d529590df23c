//! Who a request comes from, as the limits count it.
//!
//! Limits (sign-in throttling, the request rate limit, the petition budget)
//! are kept per *client network*, not per address: an IPv6 host is handed a
//! whole /64 and can pick a new address in it for every request, so counting
//! per address would give it a fresh allowance each time. An IPv4 address is
//! its own network (carrier NAT already puts many people behind one).

use std::net::IpAddr;

/// The key limits count a client by: an IPv4 address as is, an IPv6
/// address by its /64 (`2001:db8:1:2::/64`). An IPv4-mapped IPv6 address is
/// its IPv4 address. Text that is not an address (a test's "unknown") is
/// its own key.
pub fn client_network(address: &str) -> String {
    match address.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let network = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{network}/64")
            }
        },
        Err(_) => address.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::client_network;

    #[test]
    fn ipv6_addresses_in_one_slash_64_are_one_client() {
        assert_eq!(
            client_network("2001:db8:1:2:aaaa::1"),
            client_network("2001:db8:1:2:ffff:1:2:3")
        );
        assert_eq!(client_network("2001:db8:1:2::7"), "2001:db8:1:2::/64");
        assert_ne!(
            client_network("2001:db8:1:2::1"),
            client_network("2001:db8:1:3::1")
        );
    }

    #[test]
    fn ipv4_addresses_are_their_own_client_and_mapped_ones_too() {
        assert_eq!(client_network("192.0.2.7"), "192.0.2.7");
        assert_ne!(client_network("192.0.2.7"), client_network("192.0.2.8"));
        assert_eq!(client_network("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(client_network("unknown"), "unknown");
    }
}
