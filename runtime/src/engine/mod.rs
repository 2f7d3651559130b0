//! Where a query runs: the `--engine URL` of `query`, `explain`, `diff
//! --data`, `check --data`, `reconcile` and `test` (or `YARDSTICK_ENGINE`),
//! parsed into one [`Engine`]. Every engine plans with DataFusion
//! ([`session`]); the embedded engine also executes there, over the
//! sources' files, while PostgreSQL ([`postgres`]) reads each source's table
//! and runs the plan as SQL inside the warehouse, and a Ballista cluster
//! (`ballista`, built with the `ballista` feature) runs the same plan over
//! the same files. A password in a URL is never shown: every `Display` and
//! `Debug` here writes `***` for it.
//!
//! An engine that runs DataFusion plans somewhere else (a cluster) over the
//! same files is a variant here, its URL form in [`Engine::parse`], and its
//! own `SessionContext` from [`session`]; `query::catalog::Tables` then
//! registers the sources' files in that context as for the embedded engine
//! (`Engine::reads_files`), and `query::execute` runs the plan in it.

#[cfg(feature = "ballista")]
pub mod ballista;
pub mod postgres;

use crate::Fatal;
use datafusion::prelude::SessionContext;
use std::fmt;

/// The environment variable read when `--engine` is not given.
pub const ENV: &str = "YARDSTICK_ENGINE";

/// The engines a URL can name, for messages.
const FORMS: &str = "`datafusion` (the default), `postgres://USER[:PASSWORD]@HOST:PORT/DB` or `ballista://HOST:PORT`";

/// Where a query runs.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Engine {
    /// DataFusion in this process, over the sources' files (`path`).
    #[default]
    Embedded,
    /// Inside PostgreSQL, over the sources' tables (`table`).
    Postgres(postgres::Address),
    /// On a Ballista cluster (its scheduler's address), over the sources'
    /// files (`path`, which every executor must be able to read).
    #[cfg(feature = "ballista")]
    Ballista(ballista::Address),
}

impl Engine {
    /// The engine of a command: `--engine` if given, else
    /// `YARDSTICK_ENGINE` if set and not empty, else the embedded engine.
    pub fn chosen(flag: Option<&str>) -> Result<Engine, Fatal> {
        if let Some(text) = flag {
            return Engine::parse(text)
                .and_then(Engine::reached)
                .map_err(|Fatal(why)| Fatal(format!("--engine: {why}")));
        }
        match std::env::var(ENV) {
            Ok(text) if !text.trim().is_empty() => Engine::parse(&text)
                .and_then(Engine::reached)
                .map_err(|Fatal(why)| Fatal(format!("{ENV}: {why}"))),
            _ => Ok(Engine::Embedded),
        }
    }

    /// The engine, once it answers: a Ballista scheduler is reached only
    /// when a plan runs, so a wrong address is found here, before any data
    /// is read. (PostgreSQL is checked when it is connected to.)
    fn reached(self) -> Result<Engine, Fatal> {
        #[cfg(feature = "ballista")]
        if let Engine::Ballista(address) = &self {
            address.reachable()?;
        }
        Ok(self)
    }

    /// Reads an engine URL. A message about a bad URL never repeats it
    /// whole, as it may hold a password.
    pub fn parse(text: &str) -> Result<Engine, Fatal> {
        let text = text.trim();
        if text.is_empty() || text.eq_ignore_ascii_case("datafusion") {
            return Ok(Engine::Embedded);
        }
        match text.split_once("://") {
            Some((scheme, rest))
                if scheme.eq_ignore_ascii_case("postgres")
                    || scheme.eq_ignore_ascii_case("postgresql") =>
            {
                Ok(Engine::Postgres(postgres::Address::parse(rest)?))
            }
            Some((scheme, _)) if scheme.eq_ignore_ascii_case("ballista") => ballista_engine(text),
            Some((scheme, _)) => Err(Fatal(format!(
                "`{}://` is not an engine Yardstick knows; an engine is {FORMS}",
                scheme
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || "+-.".contains(*c))
                    .collect::<String>()
            ))),
            None => Err(Fatal(format!(
                "an engine is {FORMS}, not a bare word or path"
            ))),
        }
    }

    /// Whether sources are read from their files (`path`), not tables.
    pub fn reads_files(&self) -> bool {
        match self {
            Engine::Embedded => true,
            Engine::Postgres(_) => false,
            #[cfg(feature = "ballista")]
            Engine::Ballista(_) => true,
        }
    }
}

#[cfg(feature = "ballista")]
fn ballista_engine(url: &str) -> Result<Engine, Fatal> {
    ballista::Address::parse(url).map(Engine::Ballista)
}

#[cfg(not(feature = "ballista"))]
fn ballista_engine(_url: &str) -> Result<Engine, Fatal> {
    Err(Fatal(
        "`ballista://` names a Ballista cluster, but this yardstick was built without \
         Ballista; build it with `cargo build -p yardstick --features ballista`"
            .to_owned(),
    ))
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Engine::Embedded => f.write_str("datafusion"),
            Engine::Postgres(address) => write!(f, "{address}"),
            #[cfg(feature = "ballista")]
            Engine::Ballista(address) => write!(f, "{address}"),
        }
    }
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Engine({self})")
    }
}

/// The DataFusion session a query of `engine` is planned in (and, for
/// engines that execute in DataFusion, run in). Every engine registers the
/// same tables in it; only their providers differ.
pub fn session(engine: &Engine) -> Result<SessionContext, Fatal> {
    match engine {
        Engine::Embedded | Engine::Postgres(_) => Ok(crate::memory::new_session()),
        #[cfg(feature = "ballista")]
        Engine::Ballista(address) => ballista::session(address),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point
    use super::*;

    fn postgres(text: &str) -> postgres::Address {
        match Engine::parse(text) {
            Ok(Engine::Postgres(a)) => a,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn the_default_engine_is_embedded() {
        assert_eq!(Engine::parse("").ok(), Some(Engine::Embedded));
        assert_eq!(Engine::parse("datafusion").ok(), Some(Engine::Embedded));
        assert_eq!(Engine::parse(" DataFusion ").ok(), Some(Engine::Embedded));
    }

    #[test]
    fn a_postgres_url_gives_its_parts() {
        let a = postgres("postgres://ana:s3cret@db.example.com:6543/metrics");
        assert_eq!(a.user, "ana");
        assert_eq!(a.host, "db.example.com");
        assert_eq!(a.port, 6543);
        assert_eq!(a.database, "metrics");
        assert_eq!(a.password_in_url(), Some("s3cret"));
        let b = postgres("postgresql://ana@127.0.0.1/metrics");
        assert_eq!((b.port, b.password_in_url()), (5432, None));
        let c = postgres("postgres://ana:p%40ss%3Aword@[::1]:5433/m");
        assert_eq!(c.host, "::1");
        assert_eq!(c.password_in_url(), Some("p@ss:word"));
    }

    #[test]
    fn passwords_are_never_displayed() {
        let engine = Engine::parse("postgres://ana:s3cret@localhost:5432/db").ok();
        let engine = engine.unwrap_or_default();
        for shown in [engine.to_string(), format!("{engine:?}")] {
            assert!(!shown.contains("s3cret"), "{shown}");
            assert!(shown.contains("ana:***@localhost:5432/db"), "{shown}");
        }
        let no_password = Engine::parse("postgres://ana@localhost:5432/db").ok();
        assert_eq!(
            no_password.map(|e| e.to_string()).as_deref(),
            Some("postgres://ana@localhost:5432/db")
        );
    }

    #[test]
    fn bad_urls_are_refused_without_their_password() {
        for bad in [
            "mysql://root:s3cret@localhost/db",
            "root:s3cret@localhost",
            "postgres://root:s3cret@localhost:notaport/db",
            "postgres://root:s3cret@localhost:5432",
            "postgres://root:s3cret@:5432/db",
            "postgres://:s3cret@localhost:5432/db",
            "postgres://root:s3cret@localhost:5432/db?sslmode=require",
            "postgres://root:s3cret%zz@localhost:5432/db",
        ] {
            let Err(Fatal(why)) = Engine::parse(bad) else {
                panic!("{bad} was accepted")
            };
            assert!(!why.contains("s3cret"), "{bad}: {why}");
        }
        let Err(Fatal(why)) = Engine::parse("mysql://root:s3cret@localhost/db") else {
            panic!("mysql accepted")
        };
        assert!(why.contains("`mysql://` is not an engine"), "{why}");
    }
}
