//! The demo server's proof, end to end as a user would check it: start
//! `accord serve --demo`, download the key and a version's bundle over
//! HTTP, export the version with `accord list export` (which writes
//! FILE.minisig with the key beside the database), and `accord verify` it
//! offline; Debian's minisign verifies the same file.

use std::io::{BufRead, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .env_remove("ACCORD_DATABASE_URL")
        .env_remove("ACCORD_CONFIG")
        .env_remove("ACCORD_SIGNING_KEY")
        .output()
        .expect("run accord")
}

/// A plain HTTP/1.0 GET (the server speaks HTTP/1.1 and answers 1.0).
fn get(addr: &str, path: &str) -> Vec<u8> {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP response");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    assert!(
        head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
        "{path}: {head}"
    );
    raw[split + 4..].to_vec()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn serve_demo(url: &str) -> (Server, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args([
            "serve",
            "--demo",
            "--database",
            url,
            "--bind",
            "127.0.0.1:0",
        ])
        .env_remove("ACCORD_SIGNING_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
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
    assert!(!addr.is_empty(), "{printed}");
    // Keep reading: a closed pipe would kill the server at its next line.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    (Server(child), addr, printed)
}

#[test]
fn a_bundle_downloaded_from_the_demo_server_verifies_an_exported_version() {
    let dir = std::env::temp_dir().join(format!("accord-proof-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/demo.db", dir.display());
    let (server, addr, printed) = serve_demo(&url);
    let key_file = dir.join("signing.key");
    assert!(
        printed.contains("created the platform's signing key"),
        "{printed}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    let pub_key = dir.join("key.pub");
    std::fs::write(&pub_key, get(&addr, "/api/transparency/key")).unwrap();
    for v in [5, 2] {
        let bundle = dir.join(format!("bundle-v{v}.json"));
        std::fs::write(
            &bundle,
            get(&addr, &format!("/api/list/versions/{v}/proof-bundle")),
        )
        .unwrap();
        let csv = dir.join(format!("list-v{v}.csv"));
        let o = accord(&[
            "list",
            "export",
            "--database",
            &url,
            "--version",
            &v.to_string(),
            "--format",
            "csv",
            "--output",
            csv.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).contains("signature written"));
        // The CLI's file and signature are the server's.
        assert_eq!(
            std::fs::read(&csv).unwrap(),
            get(&addr, &format!("/api/list/export/csv?version={v}"))
        );
        assert_eq!(
            std::fs::read(dir.join(format!("list-v{v}.csv.minisig"))).unwrap(),
            get(&addr, &format!("/api/list/export/csv.minisig?version={v}"))
        );
        let o = accord(&[
            "verify",
            csv.to_str().unwrap(),
            "--offline",
            bundle.to_str().unwrap(),
            "-P",
            pub_key.to_str().unwrap(),
        ]);
        let said = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "v{v}: {said}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        if v == 2 {
            assert!(said.contains("SUPERSEDED"), "{said}");
        }
        if Path::new("/usr/bin/minisign").exists() {
            let o = Command::new("/usr/bin/minisign")
                .args([
                    "-Vm",
                    csv.to_str().unwrap(),
                    "-p",
                    pub_key.to_str().unwrap(),
                ])
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        } else {
            assert!(
                std::env::var("CI").is_err(),
                "minisign must be installed under CI"
            );
            eprintln!("SKIPPED: /usr/bin/minisign is not installed");
        }
    }
    // Another version's bundle does not verify this file.
    let o = accord(&[
        "verify",
        dir.join("list-v5.csv").to_str().unwrap(),
        "--offline",
        dir.join("bundle-v2.json").to_str().unwrap(),
        "-P",
        pub_key.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    drop(server);

    // Restarting reuses the key.
    let (server, addr2, printed) = serve_demo(&url);
    assert!(
        !printed.contains("created the platform's signing key"),
        "{printed}"
    );
    assert_eq!(
        std::fs::read(&pub_key).unwrap(),
        get(&addr2, "/api/transparency/key")
    );
    drop(server);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_export_without_a_key_says_so_and_writes_no_signature() {
    let dir = std::env::temp_dir().join(format!("accord-nokey-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/demo.db", dir.display());
    let (server, _, _) = serve_demo(&url);
    drop(server);
    let out = dir.join("v5.csv");
    let o = accord(&[
        "list",
        "export",
        "--database",
        &url,
        "--format",
        "csv",
        "--output",
        out.to_str().unwrap(),
        "--signing-key",
        dir.join("elsewhere.key").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("no signature written"));
    assert!(out.exists());
    assert!(!dir.join("v5.csv.minisig").exists());
    std::fs::remove_dir_all(&dir).ok();
}
