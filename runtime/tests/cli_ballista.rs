//! The Ballista engine through the binary (built with the `ballista`
//! feature): `yardstick cluster` started on a free loopback port, its
//! failures, and queries sent to it with `--engine ballista://`. Every
//! child is killed when its test ends, and every wait has a timeout.

#![cfg(feature = "ballista")]
#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_yardstick");

/// How long a cluster may take to print its address.
const STARTUP: Duration = Duration::from_secs(60);

/// A `yardstick cluster` child, killed on drop.
struct Cluster {
    child: Child,
    /// `127.0.0.1:PORT`.
    address: String,
}

impl Cluster {
    fn start(executors: usize) -> Cluster {
        Cluster::start_in(executors, &std::env::temp_dir())
    }

    /// With `tmp` as the child's temporary folder.
    fn start_in(executors: usize, tmp: &std::path::Path) -> Cluster {
        let mut child = Command::new(BIN)
            .args(["cluster", "--port", "0", "--executors", &executors.to_string()])
            .env("TMPDIR", tmp)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start yardstick cluster");
        let stdout = child.stdout.take().expect("stdout");
        let (send, receive) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = send.send(line);
        });
        let line = match receive.recv_timeout(STARTUP) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("yardstick cluster printed nothing in {STARTUP:?}");
            }
        };
        let address = line
            .split_whitespace()
            .skip_while(|w| *w != "on")
            .nth(1)
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        Cluster { child, address }
    }

    fn port(&self) -> u16 {
        self.address.rsplit(':').next().unwrap().parse().unwrap()
    }
}

    /// Sends SIGTERM and gives the exit status, or `None` if the child
    /// had not ended 10 seconds later.
    fn terminate(&mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            if self.terminate().is_none() {
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }
    }
}

fn yardstick(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run yardstick")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_cluster_prints_its_address_and_refuses_a_port_in_use() {
    let cluster = Cluster::start(1);
    assert!(cluster.address.starts_with("127.0.0.1:"), "{}", cluster.address);
    let port = cluster.port().to_string();
    let second = yardstick(&["cluster", "--port", &port, "--executors", "1"]);
    assert_eq!(second.status.code(), Some(2), "{}", stderr(&second));
    let message = stderr(&second);
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    assert!(message.contains("the port is in use"), "{message}");
}

#[test]
fn a_cluster_needs_one_executor_at_least() {
    let out = yardstick(&["cluster", "--port", "0", "--executors", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--executors 0"), "{}", stderr(&out));
}

#[test]
fn sigterm_stops_a_cluster_and_removes_its_scratch_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cluster = Cluster::start_in(2, tmp.path());
    let scratch: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(scratch.len(), 1, "the cluster's scratch folder");
    assert_eq!(cluster.terminate(), Some(130));
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
