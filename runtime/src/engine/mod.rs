//! Where a query's plan runs: in process (the embedded DataFusion session
//! of `memory.rs`), or on the engine `YARDSTICK_ENGINE` names — a Ballista
//! cluster (`ballista.rs`, built with the `ballista` feature).

use crate::Fatal;
use datafusion::prelude::SessionContext;

/// The variable naming the engine; unset or empty runs in process.
pub const VARIABLE: &str = "YARDSTICK_ENGINE";

/// The session a query runs in.
pub async fn session() -> Result<SessionContext, Fatal> {
    match std::env::var(VARIABLE) {
        Ok(url) if !url.trim().is_empty() => remote(url.trim()).await,
        _ => Ok(crate::memory::new_session()),
    }
}

#[cfg(feature = "ballista")]
pub mod ballista;

#[cfg(feature = "ballista")]
async fn remote(url: &str) -> Result<SessionContext, Fatal> {
    if url.starts_with("ballista://") {
        return ballista::connect(&ballista::Address::parse(url)?).await;
    }
    Err(unknown(url))
}

#[cfg(not(feature = "ballista"))]
async fn remote(url: &str) -> Result<SessionContext, Fatal> {
    if url.starts_with("ballista://") {
        return Err(Fatal(format!(
            "{VARIABLE} names a Ballista cluster, but this yardstick was built without \
             Ballista; build it with `cargo build -p yardstick --features ballista`"
        )));
    }
    Err(unknown(url))
}

/// An engine this build does not know, named by its scheme only (the
/// rest of a URL may hold a password).
fn unknown(url: &str) -> Fatal {
    let scheme = url.split_once("://").map_or("", |(s, _)| s);
    Fatal(format!(
        "{VARIABLE} names an engine this yardstick does not know (`{scheme}://…`); \
         unset it to run in process, or give ballista://HOST:PORT"
    ))
}
