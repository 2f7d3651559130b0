//! A PostgreSQL engine URL, `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`:
//! its parts, percent-decoded, and the password kept out of every
//! `Display` and `Debug` (shown as `***`). Without a password in the URL,
//! the connection uses `PGPASSWORD`.

use crate::Fatal;
use std::fmt;

/// PostgreSQL's port when the URL names none.
pub const DEFAULT_PORT: u16 = 5432;

#[derive(Clone, PartialEq, Eq)]
pub struct Address {
    pub user: String,
    password: Option<String>,
    pub host: String,
    pub port: u16,
    pub database: String,
}

const FORM: &str = "a PostgreSQL engine is `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`";

impl Address {
    /// Reads what follows `postgres://`. Messages never repeat the text.
    pub fn parse(rest: &str) -> Result<Address, Fatal> {
        let bad = |what: &str| Fatal(format!("{what}: {FORM}"));
        if rest.contains(['?', '#']) {
            return Err(bad(
                "connection parameters (`?...`) are not supported; put only the user, host, port and database in the URL",
            ));
        }
        let (credentials, location) = rest
            .rsplit_once('@')
            .ok_or_else(|| bad("the URL names no user (`USER@`)"))?;
        let (user, password) = match credentials.split_once(':') {
            Some((user, password)) => (user, Some(decode(password, "password")?)),
            None => (credentials, None),
        };
        let user = decode(user, "user name")?;
        if user.is_empty() {
            return Err(bad("the URL names no user"));
        }
        let (hostport, database) = location
            .split_once('/')
            .ok_or_else(|| bad("the URL names no database (`/DB`)"))?;
        let database = decode(database, "database name")?;
        if database.is_empty() {
            return Err(bad("the URL names no database"));
        }
        let (host, port) = split_port(hostport)?;
        if host.is_empty() {
            return Err(bad("the URL names no host"));
        }
        Ok(Address {
            user,
            password,
            host,
            port,
            database,
        })
    }

    /// The password written in the URL, if any.
    pub fn password_in_url(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// The password to log in with: the URL's, else `PGPASSWORD`.
    pub fn password(&self) -> Option<String> {
        self.password
            .clone()
            .or_else(|| std::env::var("PGPASSWORD").ok())
    }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn split_port(text: &str) -> Result<(String, u16), Fatal> {
    let (host, port) = if let Some(bracketed) = text.strip_prefix('[') {
        let (host, after) = bracketed
            .split_once(']')
            .ok_or_else(|| Fatal(format!("an IPv6 host needs its closing `]`: {FORM}")))?;
        (host, after.strip_prefix(':'))
    } else {
        match text.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    let port =
        match port {
            None => DEFAULT_PORT,
            Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                Fatal(format!("the port must be a number from 1 to 65535: {FORM}"))
            })?,
        };
    Ok((decode(host, "host")?, port))
}

/// Percent-decoding (`%40` is `@`), as a URL's user and password need.
fn decode(text: &str, what: &str) -> Result<String, Fatal> {
    let bad = || Fatal(format!("the {what} has a bad `%` escape: {FORM}"));
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3).ok_or_else(bad)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad())
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let password = if self.password.is_some() { ":***" } else { "" };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        write!(
            f,
            "postgres://{}{password}@{host}:{}/{}",
            self.user, self.port, self.database
        )
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({self})")
    }
}
