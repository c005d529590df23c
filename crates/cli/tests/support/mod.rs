//! Running the real binary from the black-box tests: `accord` with a clean
//! environment, `accord serve` on a free port, and a plain HTTP GET.
#![allow(dead_code)]

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// Runs `accord` without the caller's database, configuration or key.
pub fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .env_remove("ACCORD_DATABASE_URL")
        .env_remove("ACCORD_CONFIG")
        .env_remove("ACCORD_SIGNING_KEY")
        .env_remove("ACCORD_PUBLIC_KEY")
        .output()
        .expect("run accord")
}

pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A plain HTTP/1.0 GET: the status line and the body.
pub fn get_status(addr: &str, path: &str) -> (String, Vec<u8>) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP response");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head.lines().next().unwrap_or_default().to_string();
    (status, raw[split + 4..].to_vec())
}

/// A GET that must answer 200.
pub fn get(addr: &str, path: &str) -> Vec<u8> {
    let (status, body) = get_status(addr, path);
    assert!(status.contains(" 200 "), "{path}: {status}");
    body
}

/// A running `accord serve`, stopped when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
    /// What it printed up to "listening".
    pub printed: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Starts `accord serve --database URL --bind 127.0.0.1:0 EXTRA...` and
/// waits until it listens; `Err` with what it printed if it exits first.
pub fn serve(url: &str, extra: &[&str]) -> Result<Server, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["serve", "--database", url, "--bind", "127.0.0.1:0"])
        .args(extra)
        .env_remove("ACCORD_SIGNING_KEY")
        .env_remove("ACCORD_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start accord");
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let mut line = String::new();
    let mut addr = String::new();
    while out.read_line(&mut line).unwrap() > 0 {
        printed.push_str(&line);
        if let Some(a) = line.trim().strip_prefix("Accord is listening on http://") {
            addr = a.trim_end_matches('/').to_string();
            break;
        }
        line.clear();
    }
    if addr.is_empty() {
        let mut e = String::new();
        child.stderr.take().unwrap().read_to_string(&mut e).ok();
        child.wait().ok();
        return Err(format!("{printed}{e}"));
    }
    // Keep reading: a closed pipe would kill the server at its next line.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let mut errors = child.stderr.take().unwrap();
    std::thread::spawn(move || std::io::copy(&mut errors, &mut std::io::sink()));
    Ok(Server {
        child,
        addr,
        printed,
    })
}

/// A temporary folder, removed when dropped.
pub struct Dir(pub PathBuf);

impl Dir {
    pub fn new(name: &str) -> Dir {
        let p = std::env::temp_dir().join(format!("accord-{name}-{}", std::process::id()));
        std::fs::remove_dir_all(&p).ok();
        std::fs::create_dir_all(&p).unwrap();
        Dir(p)
    }

    pub fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_string()
    }

    pub fn sqlite(&self, name: &str) -> String {
        format!("sqlite://{}", self.path(name))
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

pub fn mode(p: impl AsRef<Path>) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}
