//! The Ballista engine (`--engine ballista://HOST:PORT`): a session whose
//! plans run on a Ballista cluster, and what every part of that cluster
//! needs to run them — Yardstick's own functions and the codec of its
//! in-memory tables (`codec.rs`). `yardstick cluster` (`cluster.rs`) starts
//! such a cluster on loopback. See `docs/engines.md`.

pub mod cluster;
pub mod codec;

use crate::Fatal;
use ballista::prelude::{SessionConfigExt, SessionContextExt};
use datafusion::execution::context::SessionState;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::execution::FunctionRegistry;
use datafusion::prelude::SessionContext;
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
/// run: its aggregate functions (the exact percentile) and the logical
/// codec that carries in-memory tables. The client, the scheduler and
/// every executor use it.
pub fn with_yardstick(state: SessionState) -> SessionState {
    let config = state
        .config()
        .clone()
        .with_ballista_logical_extension_codec(Arc::new(codec::YardstickCodec::default()))
        // Ballista 55's adaptive planner never finishes some full joins of
        // one-group aggregates (`offset` by a dimension with one value);
        // the static planner runs every plan of the conformance suite.
        .with_ballista_adaptive_query_planner(false);
    let mut state = SessionStateBuilder::new_from_existing(state)
        .with_config(config)
        .build();
    // The only function of ours a plan can hold (lowering's other calls
    // are DataFusion's); registering it again replaces it.
    let _ = state.register_udaf(yardstick_lower::percentile::percentile_udaf());
    state
}

/// A session whose plans run on the cluster at `address`, once its
/// scheduler accepts connections.
pub async fn connect(address: &Address) -> Result<SessionContext, Fatal> {
    reachable(address).await?;
    let state = with_yardstick(crate::memory::new_session().state());
    SessionContext::remote_with_state(&format!("df://{}", address.socket()), state)
        .await
        .map_err(|e| {
            Fatal(format!(
                "cannot use the Ballista scheduler at {address}: {e}"
            ))
        })
}

/// Whether something listens at `address`: the scheduler is reached only
/// when a plan runs, so a wrong address is found here, with a message a
/// person can act on, rather than as a gRPC error later.
async fn reachable(address: &Address) -> Result<(), Fatal> {
    let attempt = tokio::net::TcpStream::connect(address.socket());
    let why = match tokio::time::timeout(CONNECT_TIMEOUT, attempt).await {
        Ok(Ok(_)) => return Ok(()),
        Ok(Err(e)) => e.to_string(),
        Err(_) => format!("no answer in {} seconds", CONNECT_TIMEOUT.as_secs()),
    };
    Err(Fatal(format!(
        "cannot reach the Ballista scheduler at {address}: {why}; check the address given \
         with --engine (or YARDSTICK_ENGINE), or start a local cluster with \
         `yardstick cluster --port {}`",
        address.port
    )))
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
