//! The Ballista engine (`--engine ballista://HOST:PORT`): a session whose
//! plans run on a Ballista cluster, and what every part of that cluster
//! needs to run them — Yardstick's own functions and the codec of its
//! in-memory tables (`codec.rs`). `yardstick cluster` (`cluster.rs`) starts
//! such a cluster on loopback. See `docs/engines.md`.

pub mod cluster;
pub mod codec;

use crate::Fatal;
use ballista_core::extension::{SessionConfigExt, SessionStateExt};
use datafusion::execution::context::SessionState;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::execution::FunctionRegistry;
use datafusion::prelude::SessionContext;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

/// How long reaching the scheduler may take before the command gives up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A scheduler's address, from `ballista://HOST:PORT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub host: String,
    pub port: u16,
}

impl Address {
    /// Reads `ballista://HOST:PORT` (the port is required: Ballista's
    /// default, 50050, is not assumed).
    pub fn parse(url: &str) -> Result<Address, Fatal> {
        let bad = |why: &str| {
            Fatal(format!(
                "`{url}` is not a Ballista address: {why}; write ballista://HOST:PORT, e.g. ballista://localhost:50050"
            ))
        };
        let rest = url
            .strip_prefix("ballista://")
            .ok_or_else(|| bad("it does not start with ballista://"))?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (host, port) = rest
            .rsplit_once(':')
            .ok_or_else(|| bad("it has no :PORT"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.contains(['/', '@', '?', '#', ' ']) {
            return Err(bad("the host is missing or not a host name"));
        }
        let port: u16 = port
            .parse()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| bad(&format!("`{port}` is not a port (1-65535)")))?;
        Ok(Address {
            host: host.to_owned(),
            port,
        })
    }

    /// `HOST:PORT`, as a socket address to connect to.
    fn socket(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ballista://{}", self.socket())
    }
}

/// `state` with what Yardstick's plans need wherever they are decoded or
/// run: its aggregate functions (the exact percentile), the logical codec
/// that carries in-memory tables, and Ballista's static planner. The
/// client, the scheduler and every executor use it.
pub fn with_yardstick(state: SessionState) -> SessionState {
    let config = state
        .config()
        .clone()
        .upgrade_for_ballista()
        .with_ballista_logical_extension_codec(Arc::new(codec::YardstickCodec::default()))
        .with_ballista_adaptive_query_planner(false);
    // Ballista 55's adaptive planner replaces a stage input it knows to be
    // empty (an `offset` whose moved window holds no rows) by an empty
    // plan, and then refuses the metrics of that stage's tasks ("task
    // metrics array size 6 does not equal with the stage metrics array
    // size 7"), so the stage never finishes; its setting
    // `ballista.planner.propagate_empty.enabled` is not read. Yardstick's
    // jobs therefore ask for the static planner
    // (`ballista.planner.adaptive.enabled=false`). The setting travels with
    // each job.
    let mut state = SessionStateBuilder::new_from_existing(state)
        .with_config(config)
        .build();
    // The only function of ours a plan can hold (lowering's other calls
    // are DataFusion's); registering it again replaces it.
    let _ = state.register_udaf(yardstick_lower::percentile::percentile_udaf());
    state
}

/// A session whose plans run on the cluster at `address`.
pub fn session(address: &Address) -> Result<SessionContext, Fatal> {
    let state = with_yardstick(crate::memory::new_session().state());
    let scheduler = format!("http://{}", address.socket());
    state
        .upgrade_for_ballista(scheduler)
        .map(SessionContext::new_with_state)
        .map_err(|e| {
            Fatal(format!(
                "cannot use the Ballista scheduler at {address}: {e}"
            ))
        })
}

impl Address {
    /// Whether something listens at the address, within
    /// [`CONNECT_TIMEOUT`], with a message a person can act on if not.
    pub fn reachable(&self) -> Result<(), Fatal> {
        let why = match self.socket().to_socket_addrs() {
            Err(e) => e.to_string(),
            Ok(addresses) => {
                let mut last = "the host has no address".to_owned();
                for candidate in addresses {
                    match TcpStream::connect_timeout(&candidate, CONNECT_TIMEOUT) {
                        Ok(_) => return Ok(()),
                        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                            last = format!("no answer in {} seconds", CONNECT_TIMEOUT.as_secs())
                        }
                        Err(e) => last = e.to_string(),
                    }
                }
                last
            }
        };
        Err(Fatal(format!(
            "cannot reach the Ballista scheduler at {self}: {why}; check the address, \
             or start a local cluster with `yardstick cluster --port {}`",
            self.port
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_need_a_host_and_a_port() {
        let a = Address::parse("ballista://localhost:50050").ok();
        assert_eq!(
            a,
            Some(Address {
                host: "localhost".into(),
                port: 50050
            })
        );
        let v6 = Address::parse("ballista://[::1]:7000/").ok();
        assert_eq!(v6.map(|a| a.socket()), Some("[::1]:7000".to_owned()));
        for bad in [
            "ballista://localhost",
            "ballista://:50050",
            "ballista://host:0",
            "ballista://host:99999",
            "ballista://host:port",
            "df://localhost:50050",
            "ballista://user@host:1",
        ] {
            assert!(Address::parse(bad).is_err(), "{bad} was read");
        }
    }
}
