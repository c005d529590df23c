//! The demo server's proof, end to end as a user would check it: start
//! `accord serve --demo`, download the key and a version's bundle over
//! HTTP, export the version with `accord list export` (which writes
//! FILE.minisig with the key beside the database), and `accord verify` it
//! offline; Debian's minisign verifies the same file.

mod support;

use std::path::Path;
use std::process::Command;

use support::{Server, accord, get};

fn serve_demo(url: &str) -> (Server, String, String) {
    let s = support::serve(url, &["--demo"]).expect("the demo server starts");
    let (addr, printed) = (s.addr.clone(), s.printed.clone());
    (s, addr, printed)
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
