//! Where a query's plan runs besides the embedded DataFusion session: a
//! Ballista cluster (`ballista.rs`, built with the `ballista` feature).

#[cfg(feature = "ballista")]
pub mod ballista;
