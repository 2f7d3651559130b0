//! `yardstick cluster --port P --executors N`: a local Ballista cluster
//! (`engine/ballista/cluster.rs`), or a clear refusal in a build without
//! the `ballista` feature.

use crate::cli::ClusterArgs;
use crate::{Exit, Fatal};

#[cfg(feature = "ballista")]
pub fn run(args: &ClusterArgs) -> Result<Exit, Fatal> {
    crate::engine::ballista::cluster::run(args.port, args.executors)
}

#[cfg(not(feature = "ballista"))]
pub fn run(_args: &ClusterArgs) -> Result<Exit, Fatal> {
    Err(Fatal(
        "this yardstick was built without Ballista; build it with \
         `cargo build -p yardstick --features ballista`"
            .to_owned(),
    ))
}
