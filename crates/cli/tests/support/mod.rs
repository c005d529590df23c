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

impl Server {
    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, as a crash or the OOM killer would; waits for the process to end.
    pub fn kill(mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
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
    serve_env(url, extra, &[])
}

/// [`serve`] with more environment variables (e.g. libfaketime's).
pub fn serve_env(url: &str, extra: &[&str], env: &[(&str, &str)]) -> Result<Server, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["serve", "--database", url, "--bind", "127.0.0.1:0"])
        .args(extra)
        .env_remove("ACCORD_SIGNING_KEY")
        .env_remove("ACCORD_CONFIG")
        .envs(env.iter().copied())
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

/// `accord user add` with a password of its own (no one-time password, so
/// the account may have tokens at once).
pub fn add_user(url: &str, username: &str, member: &str, role: &str) {
    let mut add = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args([
            "user",
            "add",
            "--database",
            url,
            "--username",
            username,
            "--display-name",
            username,
            "--member",
            member,
            "--role",
            role,
            "--password-stdin",
        ])
        .env_remove("ACCORD_DATABASE_URL")
        .env_remove("ACCORD_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run accord user add");
    add.stdin
        .take()
        .unwrap()
        .write_all(b"a long test password\n")
        .unwrap();
    let o = add.wait_with_output().unwrap();
    assert!(o.status.success(), "user add {username}: {}", err(&o));
}

/// `accord token create` for `user` with `scopes`: the secret.
pub fn token(url: &str, user: &str, scopes: &[&str]) -> String {
    let mut args = vec![
        "token",
        "create",
        "--database",
        url,
        "--user",
        user,
        "--name",
        "fault test",
    ];
    for s in scopes {
        args.extend(["--scope", s]);
    }
    let o = accord(&args);
    assert!(o.status.success(), "token create {user}: {}", err(&o));
    out(&o)
        .lines()
        .find(|l| l.starts_with("acc_"))
        .expect("a token line")
        .to_string()
}

/// A blocking JSON client that reports every status (not only 2xx).
pub struct Http {
    agent: ureq::Agent,
}

impl Default for Http {
    fn default() -> Self {
        Http {
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(std::time::Duration::from_secs(20)))
                .build()
                .into(),
        }
    }
}

impl Http {
    /// `method` `http://addr/path` with a bearer token and a JSON body:
    /// the status and the body, or `Err` when no answer came (refused,
    /// reset: the server died).
    pub fn call(
        &self,
        method: &str,
        addr: &str,
        path: &str,
        token: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<(u16, String), String> {
        let url = format!("http://{addr}{path}");
        let auth = format!("Bearer {token}");
        let answer = match (method, body) {
            ("GET", _) => self.agent.get(&url).header("Authorization", &auth).call(),
            (m, b) => {
                let text = b.map(|b| b.to_string()).unwrap_or_else(|| "{}".into());
                let req = match m {
                    "POST" => self.agent.post(&url),
                    "PUT" => self.agent.put(&url),
                    other => panic!("method {other}"),
                };
                req.header("Authorization", &auth)
                    .header("Content-Type", "application/json")
                    .send(text.as_str())
            }
        };
        let mut r = answer.map_err(|e| e.to_string())?;
        let status = r.status().as_u16();
        let text = r.body_mut().read_to_string().map_err(|e| e.to_string())?;
        Ok((status, text))
    }
}

/// A small seeded random number generator (splitmix64): the fault tests
/// print their seed so that a failing run can be replayed.
pub struct Rng(u64);

impl Rng {
    /// From the environment variable `var` if set, else from the clock;
    /// the seed is printed.
    pub fn from_env(var: &str) -> Rng {
        let seed = std::env::var(var)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            });
        eprintln!("seed {seed} (replay with {var}={seed})");
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }
}
